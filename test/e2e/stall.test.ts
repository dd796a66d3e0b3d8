/**
 * One request cannot stall the others: while a costly FilterLogEvents runs,
 * the runtime's health route and the API Gateway front door still answer.
 * The only time limit is a generous deadline that tells "slow" from
 * "stalled"; before the fix, these filters held the event loop for minutes.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalForTests } from '../support/local-runtime.js';
import type { LocalRuntime } from '../../local/runtime.js';

const GROUP = '/stall/test';
/** Far beyond a healthy answer, far below "stalled". */
const DEADLINE_MS = 15_000;

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startLocalForTests();
  const logs = runtime.services.logs;
  const line = `GET /prod/SendEvent?mode=${'a'.repeat(2_000)}`;
  const now = Date.now();
  // Many ordinary events, and a few long lines that made backtracking matchers explode.
  for (let i = 0; i < 20_000; i += 500) {
    logs.putLogEvents(GROUP, 'filler', Array.from({ length: 500 }, (_, j) => ({ timestamp: now - 60_000 + i + j, message: `INFO request ${i + j}` })));
  }
  logs.putLogEvents(GROUP, 'hostile', Array.from({ length: 10 }, (_, i) => ({ timestamp: now - 30_000 + i, message: line })));
  logs.putLogEvents(GROUP, 'hostile-json', Array.from({ length: 10 }, (_, i) => ({ timestamp: now - 20_000 + i, message: JSON.stringify({ x: 'a'.repeat(2_000) }) })));
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
});

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(runtime.endpoint);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${DEADLINE_MS} ms while a filter ran`)), DEADLINE_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Every page of a FilterLogEvents, following nextToken. */
async function filterAll(filterPattern: string): Promise<{ pages: number; events: unknown[] }> {
  const events: unknown[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const res = await raw(
      'POST',
      '/',
      { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.FilterLogEvents' },
      JSON.stringify({ logGroupName: GROUP, filterPattern, ...(nextToken ? { nextToken } : {}) }),
    );
    expect(res.status, res.body).toBe(200);
    const page = JSON.parse(res.body) as { events: unknown[]; nextToken?: string };
    events.push(...page.events);
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken);
  return { pages, events };
}

describe('one request cannot stall the others', () => {
  it.each(['%a*a*Q%', '%a*a*a*a*a*Q%', '{ $.x = "*a*a*a*b" }', '[..., ..., ..., x = Q]'])(
    'health and SendEvent answer while FilterLogEvents %s runs',
    async (pattern) => {
      const filter = filterAll(pattern);
      const [health, send] = await Promise.all([
        within('/_local/health', raw('GET', '/_local/health')),
        within('GET /prod/SendEvent', raw('GET', '/prod/SendEvent')),
      ]);
      expect(health.status).toBe(200);
      expect(send.status).toBe(200);
      expect(JSON.parse(send.body).messageId).toMatch(/^[0-9a-f-]{36}$/);
      const result = await within('FilterLogEvents', filter);
      expect(result.events).toEqual([]);
    },
    60_000,
  );
});
