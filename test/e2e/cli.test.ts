/**
 * `npm start` as a user runs it: flags, the printed outputs, Ctrl+C.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemblyForTests, repoRoot } from '../support/local-runtime.js';
import { runCliToExit, startCli } from '../support/cli-process.js';

describe('npm start flags', () => {
  it.each([
    [['--port', 'abc'], /--port must be an integer/],
    [['--port', '70000'], /--port must be an integer/],
    [['--time-scale', '0'], /--time-scale must be a positive number/],
    [['--time-scale', '1/0'], /--time-scale must be a positive number/],
    [['--context', 'novalue'], /--context must be key=value/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('rejects %j with a clear message and exit code 2', async (args, message) => {
    const proc = await runCliToExit(args);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(message);
    expect(proc.stderr).toContain('Usage: npm start');
  });

  it('reports a missing assembly directory', async () => {
    const proc = await runCliToExit(['--assembly', path.join(repoRoot, 'no-such-dir'), '--port', '0']);
    expect(proc.code).toBe(1);
    expect(proc.stderr).toMatch(/no-such-dir/);
  });

  it('serves an assembly, prints the outputs with local URLs, and stops on SIGINT', async () => {
    const assembly = await assemblyForTests();
    const proc = await startCli(['--assembly', assembly, '--port', '0', '--in-memory']);
    expect(proc.sendEventUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod\/SendEvent$/);
    const response = await fetch(proc.sendEventUrl);
    expect(response.status).toBe(200);
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
    expect(proc.out()).toContain('stopping the local runtime');
  });

  it('serves the app from the assembly cache the tests share, saying so', async () => {
    const cached = await assemblyForTests();
    const proc = await startCli(['--port', '0']);
    expect(proc.out()).toContain(`Assembly from cache (${cached})`);
    expect(proc.out()).not.toContain('Synthesizing');
    proc.child.kill('SIGINT');
    expect(await proc.exited).toBe(0);
  });

  it('stops gracefully when one Ctrl+C arrives twice, 30 ms apart, while requests are in flight', async () => {
    const assembly = await assemblyForTests();
    const proc = await startCli(['--assembly', assembly, '--port', '0']);
    expect(proc.sendEventUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod\/SendEvent$/);
    const url = proc.sendEventUrl;
    // Busy: events on their way down the chain when the signal comes (answers or resets do not matter here).
    const inFlight = Array.from({ length: 5 }, () => fetch(url).then((r) => r.text(), () => undefined));
    await Promise.all(inFlight);
    const busy = Array.from({ length: 5 }, () => fetch(url).then((r) => r.text(), () => undefined));
    // The terminal's SIGINT, then npm's (or tsx's) relayed copy of the same key press.
    proc.child.kill('SIGINT');
    await new Promise((resolve) => setTimeout(resolve, 30));
    proc.child.kill('SIGINT');
    expect(await proc.exited, proc.out()).toBe(0);
    await Promise.all(busy);
    expect(proc.out().match(/stopping the local runtime/g)).toHaveLength(1);
    expect(proc.out()).not.toContain('exiting without waiting');
  });
});

describe('npm start with a template it cannot serve faithfully', () => {
  it('stops at start-up naming the resource and the property', async () => {
    const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } = await import('node:fs');
    const os = await import('node:os');
    const assembly = mkdtempSync(path.join(os.tmpdir(), 'tdl-unsupported-'));
    cpSync(await assemblyForTests(), assembly, { recursive: true });
    const templateFile = readdirSync(assembly).find((f) => f.endsWith('.template.json'))!;
    const template = JSON.parse(readFileSync(path.join(assembly, templateFile), 'utf8'));
    const [logicalId, fn] = Object.entries<any>(template.Resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'TheDestinedLambdaStack-destined',
    )!;
    fn.Properties.Layers = ['arn:aws:lambda:us-east-1:123456789012:layer:shared:1'];
    writeFileSync(path.join(assembly, templateFile), JSON.stringify(template));

    try {
      const proc = await runCliToExit(['--assembly', assembly, '--port', '0', '--in-memory']);
      expect(proc.code).toBe(1);
      expect(proc.stderr).toContain(logicalId);
      expect(proc.stderr).toContain('Properties.Layers');
    } finally {
      rmSync(assembly, { recursive: true, force: true });
    }
  });
});
