import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readAssembly } from '../../local/cloudformation/assembly.js';
import { assemblyForTests } from '../support/local-runtime.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const outdir = mkdtempSync(join(tmpdir(), 'destined-cli-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('npx cdk synth', () => {
  it('synthesizes offline without Docker, and the bundled ESM handlers run', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
      // No account: the stack stays environment-agnostic, as the local synth makes it.
      AWS_CONFIG_FILE: join(outdir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(outdir, 'no-aws-credentials'),
    };
    for (const key of Object.keys(env)) {
      if (key.startsWith('DOCKER') || key === 'CDK_DOCKER' || key.startsWith('CDK_DEFAULT_')) delete env[key];
      if (['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].includes(key)) delete env[key];
    }
    // A docker that always fails: bundling must never reach for it.
    env.CDK_DOCKER = '/bin/false';
    const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--no-notices', '-o', outdir, '-c', 'retryAttempts=0'], {
      cwd: repoRoot,
      env,
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(result.stderr + result.stdout).not.toMatch(/docker/i);
    expect(result.status, result.stderr).toBe(0);

    const templatePath = join(outdir, 'TheDestinedLambdaStack.template.json');
    expect(existsSync(templatePath)).toBe(true);
    const template = JSON.parse(readFileSync(templatePath, 'utf8'));
    const invokeConfig = Object.values(template.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::EventInvokeConfig',
    );
    expect(invokeConfig.Properties.MaximumRetryAttempts).toBe(0);

    // The local synth skips aws-cdk-lib's built-in template validation, which changes nothing in the template.
    const local = readAssembly(await assemblyForTests({ retryAttempts: '0' }));
    expect(local.template).toEqual(template);

    // Run the destined function's bundle as Lambda would: an ES module exporting handler.
    const fn = Object.values(template.Resources as Record<string, any>).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'TheDestinedLambdaStack-destined',
    );
    const assetDir = join(outdir, fn.Metadata['aws:asset:path']);
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
      const loggerModule = (await import(join(outdir, logger.Metadata['aws:asset:path'], 'index.mjs'))) as {
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
  }, 180_000);

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
