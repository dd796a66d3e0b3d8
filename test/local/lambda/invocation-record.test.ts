import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildInvocationRecord } from '../../../local/lambda/invocation-record.js';
import { escapeRegExp } from '../../../local/text/escape-regexp.js';

const SNAPSHOTS = new URL('../../conformance/lambda-async/snapshots/test_lambda_destinations.snapshot.json', import.meta.url);
const snapshots = JSON.parse(readFileSync(SNAPSHOTS, 'utf8')) as Record<string, { 'recorded-content': Record<string, unknown> }>;

/** Every invocation record AWS recorded: SQS message bodies and EventBridge `detail`s. */
function recordedRecords(): { where: string; record: Record<string, any>; orderMatters: boolean }[] {
  const out: { where: string; record: Record<string, any>; orderMatters: boolean }[] = [];
  const visit = (value: unknown, where: string) => {
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, `${where}[${i}]`));
    if (typeof value !== 'object' || value === null) return;
    const obj = value as Record<string, any>;
    if (obj['version'] === '1.0' && obj['requestContext']) {
      // EventBridge snapshots have sorted keys (the recorder re-serialised them); SQS bodies keep AWS's order.
      out.push({ where, record: obj, orderMatters: !where.includes('event_bus') });
      return;
    }
    for (const [k, v] of Object.entries(obj)) visit(v, `${where}.${k}`);
  };
  for (const [name, snap] of Object.entries(snapshots)) visit(snap['recorded-content'], name);
  return out;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Compare an actual value with a recorded one whose placeholders (`<uuid:1>`, `date`, `<partition>`) match any value of their kind. */
function expectMatches(actual: unknown, expected: unknown, path: string, orderMatters: boolean): void {
  if (typeof expected === 'string') {
    expect(typeof actual, path).toBe('string');
    if (expected === 'date') return void expect(actual, path).toMatch(ISO);
    if (/^<uuid:\d+>$/.test(expected)) return void expect(actual, path).toMatch(UUID);
    const pattern = new RegExp(`^${expected.split(/<[^>]+>/).map(escapeRegExp).join('.+?')}$`);
    return void expect(actual, path).toMatch(pattern);
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    return expected.forEach((e, i) => expectMatches((actual as unknown[])[i], e, `${path}[${i}]`, orderMatters));
  }
  if (typeof expected === 'object' && expected !== null) {
    const a = actual as Record<string, unknown>;
    const keys = Object.keys(expected);
    if (orderMatters) expect(Object.keys(a), path).toEqual(keys);
    else expect(Object.keys(a).sort(), path).toEqual([...keys].sort());
    return keys.forEach((k) => expectMatches(a[k], (expected as Record<string, unknown>)[k], `${path}.${k}`, orderMatters));
  }
  expect(actual, path).toEqual(expected);
}

describe('invocation record', () => {
  const records = recordedRecords();

  it('finds the recorded records', () => {
    expect(records.length).toBeGreaterThanOrEqual(9);
  });

  for (const { where, record, orderMatters } of records) {
    it(`matches AWS field by field: ${where.split('::').pop()}`, () => {
      const requestId = crypto.randomUUID();
      // The handler's own output is whatever it returned; substitute ours where AWS's held placeholders.
      const responsePayload = JSON.stringify(record['responsePayload']).replaceAll(/<uuid:\d+>/g, requestId);
      const actual = buildInvocationRecord({
        requestId,
        functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:my-fn',
        condition: record['requestContext'].condition,
        approximateInvokeCount: record['requestContext'].approximateInvokeCount,
        requestPayload: JSON.stringify(record['requestPayload']),
        outcome: { ok: record['responseContext'].functionError === undefined, payload: responsePayload },
        time: Date.now(),
      });
      expectMatches(JSON.parse(JSON.stringify(actual)), record, 'record', orderMatters);
      expect(actual.requestContext.requestId).toBe(requestId);
    });
  }

  it('writes the timestamp as ISO-8601 with milliseconds', () => {
    const r = buildInvocationRecord({
      requestId: 'r',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
      condition: 'Success',
      approximateInvokeCount: 1,
      requestPayload: '{}',
      outcome: { ok: true, payload: 'null' },
      time: Date.UTC(2024, 0, 2, 3, 4, 5, 6),
    });
    expect(r.timestamp).toBe('2024-01-02T03:04:05.006Z');
    expect(r.responsePayload).toBeNull();
    expect(r.requestContext.functionArn).toBe('arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST');
  });
});

describe('buildInvocationRecord with payloads the caller already parsed', () => {
  it('embeds them as they are, giving the same JSON text as parsing here', () => {
    const input = {
      requestId: 'r-1',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
      condition: 'Success' as const,
      approximateInvokeCount: 1,
      requestPayload: '{ "b": 2, "a": [1] }',
      outcome: { ok: true, payload: '{"source":"cdkpatterns.the-destined-lambda"}' },
      time: 0,
    };
    const requestValue: unknown = JSON.parse(input.requestPayload);
    const responseValue: unknown = JSON.parse(input.outcome.payload);
    const reused = buildInvocationRecord({ ...input, requestValue, responseValue });
    expect(reused.requestPayload).toBe(requestValue);
    expect(reused.responsePayload).toBe(responseValue);
    expect(JSON.stringify(reused)).toBe(JSON.stringify(buildInvocationRecord(input)));
  });
});
