import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'destined-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npx cdk synth', () => {
  it('synthesizes offline without Docker, and the bundled ESM handlers run', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_VERSION_CHECK: '1' };
    for (const key of Object.keys(env)) {
      if (key.startsWith('DOCKER') || key === 'CDK_DOCKER') delete env[key];
    }
    // A docker that always fails: bundling must never reach for it.
    env.CDK_DOCKER = '/bin/false';
    // With and without aws-cdk-lib's built-in template validation, as the local synth runs
    // (synthOptions.validation: false is the toolkit's --no-validation), side by side. Sibling
    // output directories: the bundles' source maps, hence the asset hashes, depend on their depth.
    const validated = join(outdir, 'validated');
    const unvalidated = join(outdir, 'unvalidated');
    const cdkSynth = (...args: string[]) =>
      promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-c', 'retryAttempts=1', ...args], {
        cwd: repoRoot,
        env,
        encoding: 'utf8',
        timeout: 280_000,
      }).then(
        ({ stdout, stderr }) => ({ status: 0, stdout, stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({ status: error.code ?? -1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
      );
    const results = await Promise.all([cdkSynth('-o', validated), cdkSynth('--no-validation', '-o', unvalidated)]);
    for (const result of results) {
      expect(result.stderr + result.stdout).not.toMatch(/docker/i);
      expect(result.status, result.stderr).toBe(0);
    }

    const templatePath = join(validated, 'TheDestinedLambdaStack.template.json');
    expect(existsSync(templatePath)).toBe(true);
    const template = JSON.parse(readFileSync(templatePath, 'utf8'));
    const invokeConfig = Object.values(template.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig',
    );
    expect(invokeConfig.Properties.MaximumRetryAttempts).toBe(1);
    // The validation changes nothing in the template.
    expect(JSON.parse(readFileSync(join(unvalidated, 'TheDestinedLambdaStack.template.json'), 'utf8'))).toEqual(template);

    // Run the destined function's bundle as Lambda would: an ES module exporting handler.
    const fn = Object.values(template.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'TheDestinedLambdaStack-destined',
    );
    const assetDir = join(validated, fn.Metadata['aws:asset:path']);
    expect(existsSync(join(assetDir, 'index.mjs.map'))).toBe(true);
    // The destinations do the sending: the function itself carries no AWS SDK and no EventBridge call.
    const bundle = readFileSync(join(assetDir, 'index.mjs'), 'utf8');
    expect(bundle).not.toMatch(/@aws-sdk|PutEvents|EventBridge/);
    const mod = (await import(join(assetDir, 'index.mjs'))) as { handler: (e: unknown) => Promise<unknown> };
    const event = { Records: [{ Sns: { Message: '{"mode":"ok"}' } }] };
    const log = console.log;
    console.log = () => undefined;
    try {
      await expect(mod.handler(event)).resolves.toEqual({
        source: 'cdkpatterns.the-destined-lambda',
        action: 'message',
        message: 'hello world',
      });
      await expect(mod.handler({ Records: [{ Sns: { Message: '{"mode":"fail"}' } }] })).rejects.toThrow('asked to fail');
      await expect(mod.handler({ Records: [{ Sns: {} }] })).rejects.toThrow(TypeError);
    } finally {
      console.log = log;
    }

    // The loggers bundle Powertools (CommonJS parts) into ESM: they must load and log one JSON line.
    for (const name of ['success-logger', 'failure-logger']) {
      const logger = Object.values(template.Resources as Record<string, any>).find(
        (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === `TheDestinedLambdaStack-${name}`,
      );
      const loggerModule = (await import(join(validated, logger.Metadata['aws:asset:path'], 'index.mjs'))) as {
        handler: (e: unknown) => Promise<unknown>;
      };
      const lines: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      }) as typeof process.stdout.write;
      try {
        await loggerModule.handler({ 'detail-type': 'x', detail: { name } });
      } finally {
        process.stdout.write = write;
      }
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'destination event', event: { detail: { name } } });
    }
  }, 300_000);

  it('stops with a clear message and exit code 1 on a bad context value', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: repoRoot,
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ throttlingBurstLimit: 'lots' }) },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'Error: Context value throttlingBurstLimit must be a number (e.g. -c throttlingBurstLimit=2), got "lots"',
    );
  }, 120_000);
});
