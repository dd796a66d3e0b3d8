import { beforeAll, describe, expect, it } from 'vitest';
import { loadStack } from '../../../local/cloudformation/model.js';
import type { StackModel } from '../../../local/cloudformation/types.js';
import { LogStore } from '../../../local/logs/store.js';
import { AwsError } from '../../../local/protocol/errors.js';
import { SqsService } from '../../../local/sqs/service.js';
import { assemblyForTests } from '../../support/local-runtime.js';

describe('the real app: its queues, queue policies and log groups', () => {
  let stack: StackModel;
  let sqs: SqsService;
  beforeAll(async () => {
    stack = loadStack(await assemblyForTests(), { localEndpoint: 'http://127.0.0.1:3000' });
    sqs = SqsService.fromStack(stack);
  }, 300_000);

  const denied = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    return error instanceof AwsError ? error.code : error;
  };

  it('lets each rule send its target dead letters, and no one else', async () => {
    const rules = stack.resourcesOfType('AWS::Events::Rule');
    // The app's success and failure rules; every target of each has its own dead-letter queue.
    expect(rules).toHaveLength(2);
    const dlqs = new Set<string>();
    for (const rule of rules) {
      const targets = rule.properties.Targets as Array<{ Id: string; DeadLetterConfig?: { Arn: string } }>;
      expect(targets.length, `${rule.logicalId} has targets`).toBeGreaterThan(0);
      for (const target of targets) {
        const dlq = target.DeadLetterConfig?.Arn;
        if (dlq === undefined) throw new Error(`${rule.logicalId} target ${target.Id} has no dead-letter queue`);
        dlqs.add(dlq);
        await expect(sqs.sendMessage(dlq, rule.logicalId, undefined, { principal: 'events.amazonaws.com', sourceArn: rule.arn! })).resolves.toHaveProperty('MessageId');
        expect(sqs.peek(dlq).map((m) => m.body)).toEqual([rule.logicalId]);
        const otherRule = rules.find((r) => r !== rule)!.arn!;
        expect(await denied(sqs.sendMessage(dlq, '{}', undefined, { principal: 'events.amazonaws.com', sourceArn: otherRule }))).toBe('AccessDenied');
        expect(await denied(sqs.sendMessage(dlq, '{}', undefined, { principal: 'sns.amazonaws.com', sourceArn: rule.arn! }))).toBe('AccessDenied');
      }
    }
    expect(dlqs.size).toBe(2);
  });

  it('lets the topic send its subscription dead letters', async () => {
    let checked = 0;
    for (const subscription of stack.resourcesOfType('AWS::SNS::Subscription')) {
      const dlq = (subscription.properties.RedrivePolicy as { deadLetterTargetArn?: string } | undefined)?.deadLetterTargetArn;
      if (!dlq) continue;
      const topicArn = subscription.properties.TopicArn as string;
      await expect(sqs.sendMessage(dlq, 'x', undefined, { principal: 'sns.amazonaws.com', sourceArn: topicArn })).resolves.toHaveProperty('MessageId');
      expect(sqs.peek(dlq).map((m) => m.body)).toContain('x');
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('holds every log group of the stack with its retention', () => {
    const logs = LogStore.fromStack(stack);
    const groups = stack.resourcesOfType('AWS::Logs::LogGroup');
    expect(logs.logGroupNames()).toHaveLength(groups.length);
    for (const info of logs.describeLogGroups()) {
      const resource = groups.find((g) => g.ref === info.logGroupName)!;
      expect(info.retentionInDays).toBe(resource.properties.RetentionInDays);
    }
  });
});
