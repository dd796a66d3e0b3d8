/**
 * examples/sync-async-api served locally: `GET /square/{number}` runs the
 * function synchronously, or asynchronously with `InvocationType: Event`,
 * whose records land in the SQS destination queues.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime.js';
import { startExampleForTests } from '../support/local-runtime.js';
import { waitForValue } from '../support/wait-for.js';

interface InvocationRecord {
  readonly requestContext: { readonly condition: string; readonly approximateInvokeCount: number; readonly functionArn: string };
  readonly requestPayload: { readonly number: string; readonly mode: string };
  readonly responseContext: { readonly statusCode: number; readonly functionError?: string };
  readonly responsePayload: { readonly square?: number; readonly errorType?: string; readonly errorMessage?: string };
}

let runtime: LocalRuntime;
let sqs: SQSClient;
let queues: { success: string; failure: string };

beforeAll(async () => {
  runtime = await startExampleForTests('sync-async-api');
  const clientConfig = { endpoint: runtime.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  sqs = new SQSClient(clientConfig);
  const { Stacks } = await new CloudFormationClient(clientConfig).send(new DescribeStacksCommand({ StackName: 'SyncAsyncApiStack' }));
  const output = (key: string) => Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue ?? '';
  queues = { success: output('SuccessQueueUrl'), failure: output('FailureQueueUrl') };
}, 120_000);
afterAll(async () => {
  sqs?.destroy();
  await runtime?.stop();
});

function square(number: string, headers: Record<string, string> = {}, query = ''): Promise<Response> {
  return fetch(`${runtime.endpoint}/prod/square/${encodeURIComponent(number)}${query}`, { headers });
}

/** The record in `queueUrl` whose request was for `number` (read records are deleted). */
function recordFor(queueUrl: string, number: string): Promise<InvocationRecord> {
  return waitForValue(
    async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
        );
      }
      return Messages.map((m) => JSON.parse(m.Body!) as InvocationRecord).find((r) => r.requestPayload.number === number);
    },
    `a record for number ${number} in ${queueUrl}`,
  );
}

describe('sync-async-api example', () => {
  it('answers a synchronous call with the square', async () => {
    const response = await square('12');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ square: 144 });

    const explicit = await square('-1.5', { InvocationType: 'RequestResponse' });
    expect(explicit.status).toBe(200);
    expect(await explicit.json()).toEqual({ square: 2.25 });
  });

  it('answers an asynchronous call at once, then puts the result in the on-success queue', async () => {
    const response = await square('7', { InvocationType: 'Event' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ message: 'Event received. The square goes to the on-success queue.' });

    const record = await recordFor(queues.success, '7');
    expect(record.requestContext.condition).toBe('Success');
    expect(record.requestContext.functionArn).toMatch(/:function:SyncAsyncApiStack-square:\$LATEST$/);
    expect(record.requestPayload).toEqual({ number: '7', mode: '' });
    expect(record.responsePayload.square).toBe(49);
  });

  it('sends an asynchronous failure to the on-failure queue after the two retries', async () => {
    const response = await square('5', { InvocationType: 'Event' }, '?mode=fail');
    expect(response.status).toBe(202);

    const record = await recordFor(queues.failure, '5');
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(record.requestPayload).toEqual({ number: '5', mode: 'fail' });
    expect(record.responseContext.functionError).toBe('Unhandled');
    expect(record.responsePayload.errorMessage).toMatch(/^Failed on purpose: mode=fail/);
  });

  it('maps a synchronous function error to a 500 with its message', async () => {
    const response = await square('5', {}, '?mode=fail');
    expect(response.status).toBe(500);
    expect(((await response.json()) as { message: string }).message).toMatch(/^Failed on purpose: mode=fail \(request [0-9a-f-]{36}\)$/);
  });

  it('rejects a non-numeric number with a 400, synchronously even when asked for Event', async () => {
    for (const headers of [{}, { InvocationType: 'Event' }] as Record<string, string>[]) {
      const response = await square('four"', headers);
      expect(response.status, JSON.stringify(headers)).toBe(400);
      expect(await response.json()).toEqual({ message: 'BadRequest: number must be a decimal number, got "four\\""' });
    }
  });
});
