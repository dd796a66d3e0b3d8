/**
 * `npm start -- --app DIR` on a two-stack app: one stack exports a queue's
 * ARN, the other imports it; both are served on one port.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/local-runtime.js';

const cli = path.join(repoRoot, 'local', 'cli.ts');

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', () => /Press Ctrl\+C to stop/.test(stdout) && resolve());
    child.on('exit', () => reject(new Error(`exited before it was ready:\n${stdout}\n${stderr}`)));
  });
  // A run expected to fail never awaits `ready`.
  ready.catch(() => {});
  return { child, ready, exited, out: () => stdout, err: () => stderr };
}

describe('npm start -- --app with a multi-stack assembly', () => {
  it('serves both stacks on one port, the importing stack holding the exported value', async () => {
    const proc = run(['--app', 'test/fixtures/multi-stack/assembly', '--port', '0', '--in-memory']);
    try {
      await proc.ready;
      expect(proc.out()).toContain('✅  MultiProducer (local)');
      expect(proc.out()).toContain('✅  MultiConsumer (local)');
      expect(proc.out()).toContain('MultiProducer.SharedQueueArn = arn:aws:sqs:us-east-1:000000000000:multi-shared');
      const endpoint = /AWS endpoint: +(http:\/\/\S+)/.exec(proc.out())?.[1];
      expect(endpoint, proc.out()).toBeDefined();
      const client = { endpoint: endpoint!, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
      const cloudformation = new CloudFormationClient(client);
      const described = await cloudformation.send(new DescribeStacksCommand({}));
      expect(described.Stacks?.map((s) => s.StackName)).toEqual(['MultiProducer', 'MultiConsumer']);
      const consumer = await cloudformation.send(new ListStackResourcesCommand({ StackName: 'MultiConsumer' }));
      expect(consumer.StackResourceSummaries?.map((r) => r.LogicalResourceId)).toEqual(['WorkQueue']);
      const sqs = new SQSClient(client);
      const shared = await sqs.send(new GetQueueUrlCommand({ QueueName: 'multi-shared' }));
      expect(shared.QueueUrl).toContain('multi-shared');
      const work = await sqs.send(new GetQueueUrlCommand({ QueueName: 'multi-work' }));
      const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: work.QueueUrl!, AttributeNames: ['RedrivePolicy'] }));
      expect(JSON.parse(attributes.Attributes!.RedrivePolicy!)).toMatchObject({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:multi-shared' });
    } finally {
      proc.child.kill('SIGINT');
    }
    expect(await proc.exited).toBe(0);
  });

  it('serves only the stacks --stacks names, and says which import is then missing', async () => {
    const proc = run(['--app', 'test/fixtures/multi-stack/assembly', '--stacks', 'MultiConsumer', '--port', '0', '--in-memory']);
    expect(await proc.exited).toBe(1);
    expect(proc.err()).toMatch(/WorkQueue: .*Fn::ImportValue "MultiProducer:SharedQueueArn": no stack served here exports it/);
  });
});
