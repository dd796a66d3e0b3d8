import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAssembly, synthesizeApp, SynthesisError } from '../../../local/cloudformation/assembly.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { handWrittenApp } from './hand-written-app.js';

const cdkLib = createRequire(import.meta.url).resolve('aws-cdk-lib');

/** A CDK app project in a temporary directory whose `app` runs `appSource` with node (`cdk` is aws-cdk-lib, loaded when used). */
function project(appSource: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cfn-app-'));
  writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ app: 'node app.cjs', context: { fromCdkJson: 'json-value' } }));
  const cdk = appSource.includes('cdk.') ? `const cdk = require(${JSON.stringify(cdkLib)});\n` : '';
  writeFileSync(path.join(dir, 'app.cjs'), `${cdk}${appSource}`);
  return dir;
}

describe('synthesizeApp', () => {
  it('runs the cdk.json app in-process with context from cdk.json and from the caller', async () => {
    const dir = project(`
      const app = new cdk.App();
      const stack = new cdk.Stack(app, 'CtxStack', { env: { region: 'eu-west-1' } });
      new cdk.CfnResource(stack, 'Topic', { type: 'AWS::SNS::Topic', properties: {
        TopicName: app.node.tryGetContext('topicName'),
        DisplayName: app.node.tryGetContext('fromCdkJson'),
      } });
      cdk.Annotations.of(stack).addWarningV2('test:warn', 'a warning for the caller');
      app.synth();
    `);
    const outdir = path.join(dir, 'out');
    const warnings: string[] = [];
    const assemblyDir = await synthesizeApp({
      projectDir: dir,
      outdir,
      context: { topicName: 'from-context' },
      onWarning: (message) => warnings.push(message),
      // As npm start synthesizes; the built-in template validation is most of an aws-cdk-lib app's synth time.
      validation: false,
    });
    expect(warnings.join('\n')).toContain('a warning for the caller');
    expect(assemblyDir).toBe(outdir);
    const assembly = readAssembly(assemblyDir);
    expect(assembly).toMatchObject({ stackName: 'CtxStack', region: 'eu-west-1' });
    expect(assembly.account).toBeUndefined();
    const stack = loadStack(assemblyDir, { localEndpoint: 'http://127.0.0.1:3000' });
    expect(stack.env.region).toBe('eu-west-1');
    expect(stack.resources.get('Topic')!.properties).toEqual({ TopicName: 'from-context', DisplayName: 'json-value' });
    expect(stack.resources.get('Topic')!.arn).toBe('arn:aws:sns:eu-west-1:000000000000:from-context');
  }, 60_000);

  it('defaults the output directory to <projectDir>/cdk.out', async () => {
    const dir = project(handWrittenApp('Empty', '{ Resources: {} }'));
    expect(await synthesizeApp({ projectDir: dir })).toBe(path.join(dir, 'cdk.out'));
  }, 60_000);

  it('surfaces a failing app as a SynthesisError carrying its message', async () => {
    const dir = project(`throw new Error('the app is broken on purpose');`);
    const error = await synthesizeApp({ projectDir: dir, outdir: path.join(dir, 'out') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SynthesisError);
    expect(String((error as Error).message)).toContain('the app is broken on purpose');
  }, 60_000);

  it('refuses a directory without cdk.json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfn-empty-'));
    await expect(synthesizeApp({ projectDir: dir })).rejects.toThrow(/No cdk\.json/);
  });
});
