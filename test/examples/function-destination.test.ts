/**
 * The function-destination example end to end, through the AWS SDK v3
 * clients: `First` invoked asynchronously hands its invocation record to
 * `Second`; `FirstResponseOnly` goes through the default event bus, whose rule
 * hands `Second` only the response payload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { startExampleForTests } from '../support/local-runtime.js';
import { waitForValue } from '../support/wait-for.js';
import type { LocalRuntime } from '../../local/runtime.js';

let runtime: LocalRuntime;
let config: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
let outputs: Record<string, string>;

beforeAll(async () => {
  runtime = await startExampleForTests('function-destination');
  config = { endpoint: runtime.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } };
  const { Stacks } = await new CloudFormationClient(config).send(new DescribeStacksCommand({}));
  outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey!, o.OutputValue!]));
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

/** Invoke a function asynchronously, as Lambda destinations require. */
async function invokeEvent(functionName: string, payload: unknown): Promise<number | undefined> {
  const lambda = new LambdaClient(config);
  const { StatusCode } = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
  );
  return StatusCode;
}

/** The `event` Second logged (Powertools JSON line, `message: "received"`) whose text contains `needle`. */
async function secondReceived(needle: string): Promise<Record<string, unknown>> {
  const logs = new CloudWatchLogsClient(config);
  return waitForValue(
    async () => {
      const { events } = await logs.send(new FilterLogEventsCommand({ logGroupName: outputs.SecondLogGroupName, filterPattern: `"${needle}"` }));
      const line = events?.map((e) => e.message ?? '').find((m) => m.includes('"received"'));
      return line ? ((JSON.parse(line.slice(line.indexOf('{'))) as { event: Record<string, unknown> }).event) : undefined;
    },
    `Second logging a payload with ${needle}`,
  );
}

describe('function-destination example', () => {
  it('First (InvocationType Event) -> Second receives the full invocation record', async () => {
    const name = `full-${Date.now()}`;
    expect(await invokeEvent(outputs.FirstFunctionName!, { name })).toBe(202);
    const record = await secondReceived(name);
    expect(record).toMatchObject({
      version: '1.0',
      requestContext: {
        functionArn: expect.stringMatching(new RegExp(`:function:${outputs.FirstFunctionName}:\\$LATEST$`)),
        condition: 'Success',
        approximateInvokeCount: 1,
      },
      requestPayload: { name },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      responsePayload: { greeting: `Hello, ${name}!`, from: outputs.FirstFunctionName },
    });
    expect(typeof record.timestamp).toBe('string');
  });

  it('FirstResponseOnly -> default bus -> rule (InputPath $.detail.responsePayload) -> Second receives only the response', async () => {
    const name = `response-only-${Date.now()}`;
    expect(await invokeEvent(outputs.FirstResponseOnlyFunctionName!, { name })).toBe(202);
    const payload = await secondReceived(name);
    expect(payload).toEqual({ greeting: `Hello, ${name}!`, from: outputs.FirstResponseOnlyFunctionName, requestId: expect.any(String) });
    // The way it went: the record put on the default bus, the CDK rule on it matched, Second invoked by EventBridge.
    const hops = runtime.traces.list();
    const destination = hops.find((h) => h.kind === 'destination' && h.resource === outputs.FirstResponseOnlyFunctionName);
    expect(destination?.summary).toMatch(/-> arn:aws:events:[^:]+:\d{12}:event-bus\/default$/);
    expect(hops.some((h) => h.service === 'eventbridge' && h.kind === 'put' && h.resource === 'default')).toBe(true);
    expect(hops.some((h) => h.service === 'eventbridge' && h.kind === 'deliver' && h.summary.endsWith(`:function:${outputs.SecondLogGroupName!.replace('/aws/lambda/', '')}`))).toBe(true);
  });
});
