import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appLocation, resolveAppSource } from '../../../local/cloudformation/app-source.js';
import { readAssembly, readAssemblyStacks, synthesizeApp } from '../../../local/cloudformation/assembly.js';
import { assemblyCacheKey } from '../../../local/cloudformation/assembly-cache.js';
import { loadStack } from '../../../local/cloudformation/model.js';
import { parseCliOptions } from '../../../local/cli-options.js';
import { repoRoot } from '../../support/local-runtime.js';

const multiStack = path.join(repoRoot, 'test', 'fixtures', 'multi-stack', 'assembly');

describe('--app X', () => {
  it('reads a cloud assembly directory, relative to the project', () => {
    const source = resolveAppSource('test/fixtures/multi-stack/assembly', repoRoot);
    expect(source).toEqual({ kind: 'assembly', dir: multiStack });
    expect(appLocation(source, '/project')).toEqual({ projectDir: '/project', assembly: multiStack });
  });

  it('reads a directory with its own cdk.json as that project, synthesized with its cdk.json', () => {
    const source = resolveAppSource(`${repoRoot}/`, '/elsewhere');
    expect(source).toEqual({ kind: 'project', dir: repoRoot });
    expect(appLocation(source, '/project')).toEqual({ projectDir: repoRoot });
  });

  it('runs anything else as the app command in the project directory', () => {
    const source = resolveAppSource('node --import tsx bin/app.ts', repoRoot);
    expect(source).toEqual({ kind: 'command', command: 'node --import tsx bin/app.ts', projectDir: repoRoot });
    expect(appLocation(source, '/project')).toEqual({ projectDir: repoRoot, app: 'node --import tsx bin/app.ts' });
  });

  it('refuses a directory that is neither an assembly nor a project, and an empty value', () => {
    expect(() => resolveAppSource('test/fixtures', repoRoot)).toThrow(/neither a cloud assembly \(no manifest\.json\) nor a CDK project \(no cdk\.json\)/);
    expect(() => resolveAppSource(' ', repoRoot)).toThrow(/--app needs a command/);
  });

  it('parses --app and --stacks, and refuses --app with --assembly', () => {
    expect(parseCliOptions(['--app', 'cdk.out', '--stacks', 'A, B'])).toMatchObject({ app: 'cdk.out', stacks: ['A', 'B'] });
    expect(() => parseCliOptions(['--app', 'x', '--assembly', 'cdk.out'])).toThrow(/alias of --app/);
    expect(() => parseCliOptions(['--stacks', 'A,,B'])).toThrow(/--stacks must be stack names/);
  });

  it('keys the assembly cache on the app command as well as the project', () => {
    const fromCdkJson = assemblyCacheKey(repoRoot, {});
    expect(assemblyCacheKey(repoRoot, {}, 'node other-app.js')).not.toBe(fromCdkJson);
    expect(assemblyCacheKey(repoRoot, {}, 'node other-app.js')).toBe(assemblyCacheKey(repoRoot, {}, 'node other-app.js'));
  });
});

describe('--app synthesizes', () => {
  const fixtureDir = path.join(repoRoot, 'test', 'fixtures', 'multi-stack');

  it('with the command given, run in the project directory', async () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'app-command-'));
    const location = appLocation(resolveAppSource('node test/fixtures/multi-stack/app.mjs', repoRoot), repoRoot);
    await synthesizeApp({ projectDir: location.projectDir, app: location.app!, outdir, validation: false });
    expect(readAssemblyStacks(outdir).map((s) => s.stackName)).toEqual(['MultiProducer', 'MultiConsumer']);
  }, 60_000);

  it("with a project directory's own cdk.json app, run there", async () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'app-project-'));
    const location = appLocation(resolveAppSource('test/fixtures/multi-stack/project', repoRoot), repoRoot);
    expect(location).toEqual({ projectDir: path.join(fixtureDir, 'project') });
    await synthesizeApp({ projectDir: location.projectDir, outdir, validation: false });
    expect(readAssemblyStacks(outdir, ['Consumer']).map((s) => s.stackName)).toEqual(['MultiConsumer']);
    expect(JSON.parse(readFileSync(path.join(outdir, 'fixture-context.json'), 'utf8'))).toMatchObject({ 'fixture:from': 'project' });
  }, 60_000);
});

describe('--stacks', () => {
  it('selects one stack of a multi-stack assembly by artifact id or stack name', () => {
    expect(readAssembly(multiStack, ['Producer']).stackName).toBe('MultiProducer');
    expect(readAssembly(multiStack, ['MultiConsumer']).artifactId).toBe('Consumer');
  });

  it('refuses several stacks, listed in dependency order, and unknown names', () => {
    expect(() => readAssembly(multiStack)).toThrow(/it has 2: Producer, Consumer \(pick one with --stacks\)/);
    expect(() => readAssembly(multiStack, ['Producer', 'Consumer'])).toThrow(/it has 2: Producer, Consumer/);
    expect(() => readAssembly(multiStack, ['Nope'])).toThrow(/--stacks Nope: no such stack .* it has Producer, Consumer/);
  });

  it('serves the selected stack with its exports as outputs', () => {
    const stack = loadStack(multiStack, { localEndpoint: 'http://127.0.0.1:1', stacks: ['Producer'] });
    expect(stack.outputs).toContainEqual(
      expect.objectContaining({ OutputKey: 'SharedQueueArn', OutputValue: 'arn:aws:sqs:us-east-1:000000000000:multi-shared', ExportName: 'MultiProducer:SharedQueueArn' }),
    );
  });

  it('serves every stack by default, the importing stack resolving the exported value', () => {
    const stack = loadStack(multiStack, { localEndpoint: 'http://127.0.0.1:1' });
    expect(stack.stacks?.map((s) => s.stackName)).toEqual(['MultiProducer', 'MultiConsumer']);
    expect(stack.resourcesOfType('AWS::SQS::Queue').map((r) => r.logicalId)).toEqual(['SharedQueue', 'WorkQueue']);
    expect(stack.resources.get('WorkQueue')!.properties['RedrivePolicy']).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:multi-shared',
      maxReceiveCount: 3,
    });
  });

  it('refuses an import whose exporting stack is not served', () => {
    expect(() => loadStack(multiStack, { localEndpoint: 'http://127.0.0.1:1', stacks: ['Consumer'] })).toThrow(
      /WorkQueue: .*Fn::ImportValue "MultiProducer:SharedQueueArn": no stack served here exports it/,
    );
  });

  it('imports only exports of the same account and region, and refuses pooled stacks with the same logical id', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'multi-env-'));
    cpSync(multiStack, dir, { recursive: true });
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.artifacts.Consumer.environment = 'aws://111111111111/eu-west-1';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expect(() => loadStack(dir, { localEndpoint: 'http://127.0.0.1:1' })).toThrow(
      /WorkQueue: .*Fn::ImportValue "MultiProducer:SharedQueueArn": it is exported in 000000000000\/us-east-1, and CloudFormation imports only exports of the stack's own account and region \(111111111111\/eu-west-1\)/,
    );
    const consumer = loadStack(dir, { localEndpoint: 'http://127.0.0.1:1', stacks: ['Consumer'], exports: new Map([['MultiProducer:SharedQueueArn', 'arn:x']]) });
    expect(consumer.env).toMatchObject({ account: '111111111111', region: 'eu-west-1' });
    expect(consumer.resources.get('WorkQueue')!.arn).toBe('arn:aws:sqs:eu-west-1:111111111111:multi-work');

    manifest.artifacts.Consumer.environment = 'aws://unknown-account/unknown-region';
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const templatePath = path.join(dir, 'Consumer.template.json');
    const template = JSON.parse(readFileSync(templatePath, 'utf8'));
    template.Resources.SharedQueue = { Type: 'AWS::SQS::Queue' };
    writeFileSync(templatePath, JSON.stringify(template));
    expect(() => loadStack(dir, { localEndpoint: 'http://127.0.0.1:1' })).toThrow(/MultiProducer and MultiConsumer both have a resource SharedQueue/);
  });

  it('names the resource of a nested stack and its stack', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'multi-nested-'));
    cpSync(multiStack, dir, { recursive: true });
    const templatePath = path.join(dir, 'Producer.template.json');
    const template = JSON.parse(readFileSync(templatePath, 'utf8'));
    template.Resources.Inner = { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://example.com/inner.json' } };
    writeFileSync(templatePath, JSON.stringify(template));
    expect(() => readAssembly(dir, ['Producer'])).toThrow(/Inner: Type: nested stacks \(AWS::CloudFormation::Stack\) are not supported .*\(in stack Producer\)/);
  });
});
