/**
 * API Gateway's call to SNS with an integration's role: IAM checks the call
 * on the Query parameters it reads, and the endpoint is handed that reading
 * to serve, so the call checked is the call served.
 */
import { describe, expect, it } from 'vitest';
import { callAsIntegrationRole } from '../../../local/iam/edge.js';
import { queryParams } from '../../../local/protocol/query.js';
import type { IamService } from '../../../local/iam/service.js';
import type { HttpRequest, HttpResponse } from '../../../local/protocol/http.js';
import type { QueryParams, QueryService } from '../../../local/protocol/query.js';

const ROLE = 'arn:aws:iam::000000000000:role/integration';
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:topic';
const SNS: QueryService = { version: '2010-03-31', xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/', signingName: 'sns', operations: {} };

function setup(denied: boolean) {
  const checked: { action: string; resource: string }[] = [];
  const iam = {
    enforce: true,
    checkTrust: () => undefined,
    check: (call: { action: string; resource: string }) => {
      checked.push({ action: call.action, resource: call.resource });
      return denied ? { message: 'denied' } : undefined;
    },
  } as unknown as IamService;
  const served: { service: string; params: QueryParams }[] = [];
  const call = callAsIntegrationRole(iam, new Map([['sns', SNS]]), 'stack-id', async (service, req) => {
    served.push({ service, params: queryParams(req) });
    return { statusCode: 200, headers: {}, body: '' } satisfies HttpResponse;
  });
  return { call, checked, served };
}

const request = (rawQuery: string, body: string): HttpRequest => ({
  method: 'POST',
  path: '/',
  rawQuery,
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: Buffer.from(body),
  sourceIp: '127.0.0.1',
});

describe('callAsIntegrationRole', () => {
  it('hands the endpoint the parameters it checked: the query string with the form body over it', async () => {
    const { call, checked, served } = setup(false);
    const req = request(`Action=Publish&TopicArn=${encodeURIComponent(`${TOPIC}-url`)}`, `TopicArn=${encodeURIComponent(TOPIC)}&Message=m`);
    await call('sns', req, ROLE);
    expect(checked).toEqual([{ action: 'sns:Publish', resource: TOPIC }]);
    expect(served).toHaveLength(1);
    expect(Object.fromEntries(served[0]!.params)).toEqual({ Action: 'Publish', TopicArn: TOPIC, Message: 'm' });
    // One read per request: the endpoint is handed the very parameters the check read.
    expect(served[0]!.params).toBe(queryParams(req));
  });

  it('answers a denied call itself, and leaves a call without a role for the endpoint to read', async () => {
    const denied = setup(true);
    const response = await denied.call('sns', request('', `Action=Publish&TopicArn=${encodeURIComponent(TOPIC)}&Message=m`), ROLE);
    expect(response.statusCode).toBe(403);
    expect(String(response.body)).toContain('AuthorizationError');
    expect(denied.served).toEqual([]);
    const open = setup(false);
    await open.call('sns', request('', 'Action=Publish'));
    expect(open.checked).toEqual([]);
    expect(open.served.map(({ service, params }) => [service, Object.fromEntries(params)])).toEqual([['sns', { Action: 'Publish' }]]);
  });

  it('checks PublishBatch as sns:Publish on its topic, as SNS authorizes it', async () => {
    const { call, checked } = setup(true);
    const response = await call('sns', request('Action=PublishBatch', `TopicArn=${encodeURIComponent(TOPIC)}&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=m`), ROLE);
    expect(checked).toEqual([{ action: 'sns:Publish', resource: TOPIC }]);
    expect(response.statusCode).toBe(403);
  });
});
