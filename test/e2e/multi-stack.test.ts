/**
 * `npm start -- --app DIR` on a two-stack app: one stack exports a queue's
 * ARN, the other imports it; both are served on one port.
 */
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { launchCli, runCliToExit } from '../support/cli-process.js';

describe('npm start -- --app with a multi-stack assembly', () => {
  it('serves both stacks on one port, the importing stack holding the exported value', async () => {
    const proc = await launchCli(['--app', 'test/fixtures/multi-stack/assembly', '--port', '0', '--in-memory']);
    try {
      expect(proc.out()).toContain('✅  MultiProducer (local)');
      expect(proc.out()).toContain('✅  MultiConsumer (local)');
      expect(proc.out()).toContain('MultiProducer.SharedQueueArn = arn:aws:sqs:us-east-1:000000000000:multi-shared');
      const client = { endpoint: proc.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
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
    const proc = await runCliToExit(['--app', 'test/fixtures/multi-stack/assembly', '--stacks', 'MultiConsumer', '--port', '0', '--in-memory']);
    expect(proc.code).toBe(1);
    expect(proc.stderr).toMatch(/WorkQueue: .*Fn::ImportValue "MultiProducer:SharedQueueArn": no stack served here exports it/);
  });
});
