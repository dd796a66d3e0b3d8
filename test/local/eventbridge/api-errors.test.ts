import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventBridgeApi } from '../../../local/eventbridge/api.js';
import { serveApis, TEST_CLIENT, type Served } from '../../support/serve.js';
import { BUS_ARN, customBus, FN_ARN, makeService, rule } from './helpers.js';

const { service } = makeService([
  customBus,
  rule('R1', { source: ['a'] }, [{ Id: 'fn', Arn: FN_ARN }], { Name: 'rule-1' }),
  rule('R2', { source: ['b'] }, [{ Id: 'fn', Arn: FN_ARN }], { Name: 'rule-2' }),
  rule('R3', { source: ['c'] }, [{ Id: 'fn', Arn: FN_ARN }], { Name: 'rule-3' }),
  ['A', 'AWS::Events::Archive', { ArchiveName: 'arch', SourceArn: BUS_ARN, RetentionDays: 0 }],
]);
let server: Served;
let client: EventBridgeClient;

beforeAll(async () => {
  server = await serveApis({ json: [eventBridgeApi(service)] });
  client = new EventBridgeClient({ endpoint: server.endpoint, ...TEST_CLIENT, maxAttempts: 1 });
});

afterAll(async () => {
  client.destroy();
  await server.close();
});

async function raw(operation: string, body: unknown): Promise<{ status: number; type: string }> {
  const response = await fetch(`${server.endpoint}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSEvents.${operation}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, type: ((await response.json()) as { __type: string }).__type };
}

describe('EventBridge API paging and malformed input', () => {
  it('pages ListRules with Limit and the NextToken it hands out', async () => {
    const first = await client.send(new ListRulesCommand({ EventBusName: 'custom', Limit: 2 }));
    expect(first.Rules?.map((r) => r.Name)).toEqual(['rule-1', 'rule-2']);
    expect(first.NextToken).toBeDefined();
    const second = await client.send(new ListRulesCommand({ EventBusName: 'custom', Limit: 2, NextToken: first.NextToken }));
    expect(second.Rules?.map((r) => r.Name)).toEqual(['rule-3']);
    expect(second.NextToken).toBeUndefined();
  });

  it('rejects a Limit outside 1-100 and a NextToken it never issued with ValidationException', async () => {
    await expect(client.send(new ListRulesCommand({ Limit: 0 }))).rejects.toMatchObject({
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new ListRulesCommand({ Limit: 101 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(client.send(new ListTargetsByRuleCommand({ Rule: 'rule-1', EventBusName: 'custom', NextToken: 'garbage' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers members of the wrong JSON type with SerializationException 400', async () => {
    expect(await raw('ListRules', { Limit: 'x' })).toEqual({ status: 400, type: 'SerializationException' });
    expect(await raw('DescribeRule', { Name: 5 })).toEqual({ status: 400, type: 'SerializationException' });
    expect(await raw('PutEvents', { Entries: [1] })).toEqual({ status: 400, type: 'SerializationException' });
    expect(
      await raw('StartReplay', {
        ReplayName: 'r',
        EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/arch',
        EventStartTime: 'yesterday',
        EventEndTime: 1,
        Destination: { Arn: BUS_ARN },
      }),
    ).toEqual({ status: 400, type: 'SerializationException' });
    const replay = { ReplayName: 'r', EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/arch', EventStartTime: 0, EventEndTime: 1 };
    expect(await raw('StartReplay', { ...replay, Destination: BUS_ARN })).toEqual({ status: 400, type: 'SerializationException' });
    expect(await raw('StartReplay', { ...replay, Destination: { Arn: BUS_ARN, FilterArns: [1] } })).toEqual({ status: 400, type: 'SerializationException' });
  });

  it('names the missing member of a required parameter', async () => {
    expect(await raw('DescribeRule', {})).toEqual({ status: 400, type: 'ValidationException' });
    expect(await raw('PutEvents', {})).toEqual({ status: 400, type: 'ValidationException' });
    await expect(
      client.send(
        new StartReplayCommand({
          ReplayName: 'r',
          EventSourceArn: 'arn:aws:events:us-east-1:000000000000:archive/nope',
          EventStartTime: new Date(0),
          EventEndTime: new Date(1000),
          Destination: { Arn: BUS_ARN },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});
