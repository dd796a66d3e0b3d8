/**
 * The swap itself, in process and without synthesis: the assembly a save
 * "synthesizes" is chosen by the test, so a template the runtime refuses at
 * load can be served up quickly.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ListQueuesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { assemblyForTests, repoRoot } from '../../support/local-runtime.js';
import { waitForValue } from '../../support/wait-for.js';
import { cleanupAfterEach, editedAssembly as editedAssemblyIn, startOnWatchedProject } from './edited-assembly.js';

const cleanup = cleanupAfterEach();
const { tempDir } = cleanup;

function editedAssembly(source: string, edit: (resources: Record<string, unknown>) => void): string {
  return editedAssemblyIn(tempDir('tdl-reload-asm-'), source, edit);
}

const until = <T>(what: string, probe: () => T | undefined, ms = 30_000) => waitForValue(probe, what, ms, { intervalMs: 50 });

describe('swapping the assembly on a save', () => {
  it('an assembly refused at load leaves the previous one serving, traced; the next good one is swapped in; a removed queue has its waiting message reported', async () => {
    const good = await assemblyForTests();
    const refused = editedAssembly(good, (resources) => {
      resources['LateUrl'] = { Type: 'AWS::Lambda::Url', Properties: { AuthType: 'NONE', TargetFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:x' } };
    });
    const withQueue = editedAssembly(good, (resources) => {
      resources['ExtraQueue'] = { Type: 'AWS::SQS::Queue', Properties: {} };
    });
    let next = good;
    const { runtime, project, lines } = await startOnWatchedProject(cleanup, {
      // The first start and every save: the test decides what a synthesis gives.
      synthesize: async () => next,
    });
    const firstStack = runtime.stack;
    expect(lines.join('\n')).toMatch(/Watching the app sources/);

    next = refused;
    writeFileSync(path.join(project, 'lib', 'stack.ts'), 'one');
    await until('a failed reload', () => (lines.some((l) => l.startsWith('reload failed (load)')) ? true : undefined));
    expect(runtime.stack).not.toBe(firstStack); // restarted from the previous assembly
    expect(runtime.stack.resources.has('LateUrl')).toBe(false);
    const failure = runtime.traces.list().find((t) => t.service === 'runtime' && t.kind === 'reload-failed');
    expect(failure).toMatchObject({ outcome: 'failed' });
    expect(failure?.reason).toMatch(/AWS::Lambda::Url/);
    const health = await fetch(`${runtime.endpoint}/_local/health`);
    expect(health.status).toBe(200);

    next = withQueue;
    writeFileSync(path.join(project, 'lib', 'stack.ts'), 'two');
    await until('a reload line', () => lines.find((l) => l.startsWith('reloaded in ')));
    expect(lines.find((l) => l.startsWith('reloaded in '))).toMatch(/^reloaded in \d+\.\d+s: 1 added \(ExtraQueue\)$/);
    expect(runtime.stack.resources.has('ExtraQueue')).toBe(true);
    // The same line as a trace, for the dashboard's reload banner.
    expect(runtime.traces.list().find((t) => t.service === 'runtime' && t.kind === 'reloaded')).toMatchObject({ outcome: 'ok', summary: expect.stringMatching(/^reloaded in \d+\.\d+s: 1 added \(ExtraQueue\)$/) });
    expect((await fetch(`${runtime.endpoint}/_local/health`)).status).toBe(200);

    // A message waits in the new queue; the next save removes the queue, and the message is reported, not silently lost.
    const sqs = new SQSClient({ endpoint: runtime.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
    const queueUrl = QueueUrls?.find((url) => url.includes('ExtraQueue'));
    expect(queueUrl, JSON.stringify(QueueUrls)).toBeDefined();
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'waiting' }));
    next = good;
    writeFileSync(path.join(project, 'lib', 'stack.ts'), 'three');
    await until('a second reload line', () => (lines.filter((l) => l.startsWith('reloaded in ')).length >= 2 ? true : undefined));
    expect(lines.filter((l) => l.startsWith('reloaded in '))[1]).toMatch(/: 1 removed \(ExtraQueue\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^dropped 1 saved SQS message\(s\) ExtraQueue: /));
  });

  it('with --stacks, checks and serves only the chosen stack: another stack the runtime could not pool does not hold a reload back', async () => {
    const multiStack = path.join(repoRoot, 'test', 'fixtures', 'multi-stack', 'assembly');
    // Producer gains a queue; Consumer gains Producer's logical id, so the two can no longer be served together.
    const next = path.join(tempDir('tdl-reload-stacks-'), 'assembly');
    cpSync(multiStack, next, { recursive: true });
    const editTemplate = (file: string, edit: (resources: Record<string, unknown>) => void) => {
      const template = JSON.parse(readFileSync(path.join(next, file), 'utf8')) as { Resources: Record<string, unknown> };
      edit(template.Resources);
      writeFileSync(path.join(next, file), JSON.stringify(template));
    };
    editTemplate('Producer.template.json', (resources) => void (resources['ExtraQueue'] = { Type: 'AWS::SQS::Queue', Properties: {} }));
    editTemplate('Consumer.template.json', (resources) => void (resources['SharedQueue'] = { Type: 'AWS::SQS::Queue', Properties: {} }));
    let assembly = multiStack;
    const { runtime, project, lines } = await startOnWatchedProject(cleanup, { stacks: ['Producer'], synthesize: async () => assembly });
    assembly = next;
    writeFileSync(path.join(project, 'lib', 'stack.ts'), 'one');
    const line = await until('a reload line or a failed reload', () => lines.find((l) => l.startsWith('reloaded in ') || l.startsWith('reload failed')));
    expect(line).toMatch(/^reloaded in \d+\.\d+s: 1 added \(ExtraQueue\)$/);
    expect(runtime.stack.resources.has('ExtraQueue')).toBe(true);
  }, 60_000);
});
