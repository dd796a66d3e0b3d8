import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaApi } from '../../../local/lambda/api.js';
import { serve, type Served } from '../../support/serve.js';
import { build } from './build.js';
import { arnOf, fn } from './helpers.js';

/**
 * `aws lambda invoke` as the CLI sends it: POST to the percent-encoded
 * function name, options in `X-Amz-Invocation-Type` / `X-Amz-Log-Type`.
 */
const { service, pools } = build([fn('noisy')]);
let server: Served;

beforeAll(async () => {
  server = await serve(lambdaApi(service));
});

afterAll(async () => {
  await server.close();
});

function invoke(name: string, headers: Record<string, string>, body = '{}') {
  return fetch(`${server.endpoint}/2015-03-31/functions/${encodeURIComponent(name)}/invocations`, { method: 'POST', headers, body });
}

describe('Invoke in the AWS CLI request shape', () => {
  it('tails only the last 4 KB of a long log, base64-encoded', async () => {
    await service.idle();
    // Warm the pool, then make its log far longer than 4 KB.
    await invoke('noisy', {});
    const pool = pools.get('noisy')!;
    const original = pool.invoke.bind(pool);
    pool.invoke = async (payload, requestId) => {
      const execution = await original(payload, requestId);
      return { ...execution, log: `${'x'.repeat(10_000)}\nthe last line` };
    };
    try {
      const response = await invoke(arnOf('noisy'), { 'x-amz-log-type': 'Tail' });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-amz-executed-version')).toBe('$LATEST');
      const tail = Buffer.from(response.headers.get('x-amz-log-result')!, 'base64');
      expect(tail.length).toBe(4096);
      expect(tail.toString('utf8').endsWith('x\nthe last line')).toBe(true);
    } finally {
      pool.invoke = original;
    }
  });

  it('answers --invocation-type Event with 202, an empty body and no log even with --log-type Tail', async () => {
    const response = await invoke('noisy', { 'x-amz-invocation-type': 'Event', 'x-amz-log-type': 'Tail' });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe('');
    expect(response.headers.get('x-amz-log-result')).toBeNull();
    await service.idle();
  });

  it('answers --invocation-type DryRun with 204 and runs nothing', async () => {
    const before = pools.get('noisy')!.calls.length;
    const response = await invoke('noisy', { 'x-amz-invocation-type': 'DryRun' });
    expect(response.status).toBe(204);
    expect(pools.get('noisy')!.calls.length).toBe(before);
  });

  it('rejects an unknown invocation or log type with ValidationException 400', async () => {
    const bad: Record<string, string>[] = [{ 'x-amz-invocation-type': 'Later' }, { 'x-amz-log-type': 'Full' }];
    for (const headers of bad) {
      const response = await invoke('noisy', headers);
      expect(response.status).toBe(400);
      expect(response.headers.get('x-amzn-errortype')).toBe('ValidationException');
      expect(((await response.json()) as { message: string }).message).toMatch(/^1 validation error detected: /);
    }
  });

  it('answers an unknown function with ResourceNotFoundException 404 and a Message member', async () => {
    const response = await invoke('arn:aws:lambda:us-east-1:000000000000:function:nope', {});
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await response.json()).toEqual({ Type: 'User', Message: `Function not found: ${arnOf('nope')}` });
  });
});
