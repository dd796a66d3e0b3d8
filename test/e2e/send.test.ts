/**
 * `npm run send -- --fail --local`: one event followed hop by hop to the
 * logger, through the AWS APIs of a running local runtime.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startLocalForTests();
});
afterAll(async () => {
  await runtime?.stop();
});

function send(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(path.join(repoRoot, 'node_modules', '.bin', 'tsx'), [path.join(repoRoot, 'scripts', 'send.ts'), ...args], {
    cwd: repoRoot,
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('npm run send', () => {
  it('follows a failing event through its three attempts to the failure logger', async () => {
    const { code, out } = await send(['--fail', '--endpoint', runtime.endpoint, '--timeout', '30']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/API Gateway +200 \{"messageId":"[0-9a-f-]{36}"/);
    expect(out).toMatch(/attempt 3 \(request [0-9a-f-]{36}\)/);
    expect(out).toContain('Lambda Function Invocation Result - Failure -> TheDestinedLambdaStack-failure-logger');
    expect(out).toContain('condition RetriesExhausted, approximateInvokeCount 3');
  });

  it('follows a good event to the success logger', async () => {
    const { code, out } = await send(['--endpoint', runtime.endpoint, '--timeout', '30']);
    expect(code, out).toBe(0);
    expect(out).toContain('condition Success, approximateInvokeCount 1');
    expect(out).not.toMatch(/attempt 2/);
  });

  it('rejects a bad flag with the usage and exit code 2', async () => {
    const { code, err } = await send(['--timeout', 'soon']);
    expect(code).toBe(2);
    expect(err).toContain('--timeout must be a positive number');
    expect(err).toContain('Usage: npm run send');
  });
});
