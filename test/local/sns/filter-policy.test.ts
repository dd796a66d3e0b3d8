import { describe, expect, it } from 'vitest';
import type { MessageAttributeValue, PatternMatcher } from '../../../local/contracts.js';
import { matchesPattern } from '../../../local/eventbridge/pattern.js';
import { AwsError } from '../../../local/protocol/errors.js';
import {
  asFilterPolicyError,
  attributesDocument,
  FilterPolicyError,
  passesFilter,
  validateFilterPolicy,
  type FilterPolicy,
} from '../../../local/sns/filter-policy.js';

function reasonOf(policy: unknown, scope: 'MessageAttributes' | 'MessageBody' = 'MessageAttributes'): string {
  try {
    validateFilterPolicy(policy, scope);
  } catch (error) {
    if (error instanceof FilterPolicyError) return error.message;
    throw error;
  }
  return 'valid';
}

describe('validateFilterPolicy', () => {
  it('accepts the SNS operators', () => {
    const policy = {
      store: ['example_corp', { prefix: 'ex' }, { suffix: 'corp' }, { 'equals-ignore-case': 'EXAMPLE' }],
      price: [{ numeric: ['>=', 0, '<', 100] }, 5, null],
      event: [{ 'anything-but': ['cancelled', 'refunded'] }, { 'anything-but': { prefix: 'test-' } }],
      encrypted: [{ exists: true }, false],
      source_ip: [{ cidr: '10.0.0.0/24' }],
    };
    expect(reasonOf(policy)).toBe('valid');
    expect(reasonOf({ $or: [{ a: ['x'] }, { b: ['y'] }] })).toBe('valid');
  });

  it('rejects nesting in the MessageAttributes scope but allows it for MessageBody', () => {
    const nested = { order: { status: ['paid'] } };
    expect(reasonOf(nested)).toBe('Filter policy scope MessageAttributes does not support nested filter policy');
    expect(reasonOf(nested, 'MessageBody')).toBe('valid');
  });

  it('gives SNS reasons for bad policies', () => {
    expect(reasonOf({ a: [] })).toBe('FilterPolicy: Empty arrays are not allowed');
    expect(reasonOf({ a: 'x' })).toBe('FilterPolicy: "a" must be an object or an array');
    expect(reasonOf({ a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] })).toBe('FilterPolicy: Filter policy can not have more than 5 keys');
    expect(reasonOf({ a: [{ wildcard: 'x*' }] })).toBe('FilterPolicy: Unrecognized match type wildcard');
    expect(reasonOf({ a: [{ prefix: 1 }] })).toBe('FilterPolicy: prefix match pattern must be a string');
    expect(reasonOf({ a: [{ exists: 'yes' }] })).toBe('FilterPolicy: exists match pattern must be either true or false.');
    expect(reasonOf({ a: [{ numeric: ['<', 'ten'] }] })).toBe('FilterPolicy: Value of < must be numeric');
    expect(reasonOf({ a: [{ numeric: ['>', 10, '<', 5] }] })).toBe('FilterPolicy: Bottom must be less than top');
    expect(reasonOf({ a: [{ numeric: ['<', 10, '>', 5] }] })).toBe('FilterPolicy: Too many elements in numeric expression');
    expect(reasonOf({ a: [{ cidr: '10.0.0.0' }] })).toBe("FilterPolicy: Malformed CIDR, one '/' required");
    expect(reasonOf({ a: [{ prefix: 'a', suffix: 'b' }] })).toBe('FilterPolicy: Only one key allowed in match expression');
    expect(reasonOf({ a: [['nested']] })).toBe('FilterPolicy: Match value must be String, number, true, false, or null');
    const tooComplex = { a: Array.from({ length: 10 }, (_, i) => `a${i}`), b: Array.from({ length: 16 }, (_, i) => `b${i}`) };
    expect(reasonOf(tooComplex)).toBe('FilterPolicy: Filter policy is too complex');
  });
});

describe('asFilterPolicyError', () => {
  it('turns the shared compiler refusal into SNS InvalidParameter and leaves other errors alone', () => {
    let refusal: unknown;
    try {
      matchesPattern({ a: [] }, {});
    } catch (error) {
      refusal = error;
    }
    const mapped = asFilterPolicyError(refusal);
    expect(mapped).toBeInstanceOf(AwsError);
    expect([(mapped as AwsError).code, (mapped as AwsError).statusCode, (mapped as AwsError).message]).toEqual([
      'InvalidParameter',
      400,
      'Invalid parameter: FilterPolicy: Empty arrays are not allowed',
    ]);
    const other = new AwsError('ServiceException', 'boom', 500);
    expect(asFilterPolicyError(other)).toBe(other);
  });
});

describe('attributesDocument', () => {
  it('turns Numbers into numbers, String.Arrays into arrays and leaves Binary out', () => {
    const attributes: Record<string, MessageAttributeValue> = {
      s: { DataType: 'String', StringValue: '5' },
      n: { DataType: 'Number', StringValue: '5.50' },
      a: { DataType: 'String.Array', StringValue: '["x", 2]' },
      b: { DataType: 'Binary', BinaryValue: new Uint8Array([1]) },
    };
    expect(attributesDocument(attributes)).toEqual({ s: '5', n: 5.5, a: ['x', 2] });
  });
});

// A deliberately tiny matcher for exact values only, to test the SNS side apart from EventBridge's grammar.
const exactMatcher: PatternMatcher = (pattern, event) =>
  Object.entries(pattern as Record<string, unknown[]>).every(([key, allowed]) => {
    const value = (event as Record<string, unknown>)[key];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return values.some((v) => allowed.includes(v));
  });

describe('passesFilter', () => {
  const attrs = (entries: Record<string, [string, string]>): Record<string, MessageAttributeValue> =>
    Object.fromEntries(Object.entries(entries).map(([k, [DataType, StringValue]]) => [k, { DataType, StringValue }]));

  it('matches the attributes document in the MessageAttributes scope (stub matcher)', () => {
    const filter: FilterPolicy = { scope: 'MessageAttributes', policy: { mode: ['fail'] } };
    expect(passesFilter(filter, 'ignored', attrs({ mode: ['String', 'fail'] }), exactMatcher)).toBe(true);
    expect(passesFilter(filter, '{"mode":"fail"}', attrs({ mode: ['String', 'ok'] }), exactMatcher)).toBe(false);
    expect(passesFilter(filter, '{"mode":"fail"}', {}, exactMatcher)).toBe(false);
  });

  it('matches the parsed body in the MessageBody scope and never matches a non-object body (stub matcher)', () => {
    const filter: FilterPolicy = { scope: 'MessageBody', policy: { mode: ['fail'] } };
    expect(passesFilter(filter, '{"mode":"fail"}', {}, exactMatcher)).toBe(true);
    expect(passesFilter(filter, '{"mode":"ok"}', attrs({ mode: ['String', 'fail'] }), exactMatcher)).toBe(false);
    expect(passesFilter(filter, 'not json', {}, exactMatcher)).toBe(false);
    expect(passesFilter(filter, '["fail"]', {}, exactMatcher)).toBe(false);
  });

  describe('with the EventBridge matcher', () => {
    const onAttributes = (policy: Record<string, unknown>, attributes: Record<string, MessageAttributeValue>) =>
      passesFilter({ scope: 'MessageAttributes', policy }, '', attributes, matchesPattern);
    const onBody = (policy: Record<string, unknown>, body: unknown) =>
      passesFilter({ scope: 'MessageBody', policy }, JSON.stringify(body), {}, matchesPattern);

    it('compares Number attributes numerically', () => {
      expect(onAttributes({ price: [{ numeric: ['>', 100] }] }, attrs({ price: ['Number', '150.0'] }))).toBe(true);
      expect(onAttributes({ price: [{ numeric: ['>', 100] }] }, attrs({ price: ['Number', '99'] }))).toBe(false);
      expect(onAttributes({ price: [150] }, attrs({ price: ['Number', '150'] }))).toBe(true);
      // A String attribute holding digits is text, not a number.
      expect(onAttributes({ price: [{ numeric: ['>', 100] }] }, attrs({ price: ['String', '150'] }))).toBe(false);
    });

    it('matches String.Array attributes element by element', () => {
      expect(onAttributes({ tags: ['urgent'] }, attrs({ tags: ['String.Array', '["normal","urgent"]'] }))).toBe(true);
      expect(onAttributes({ tags: ['urgent'] }, attrs({ tags: ['String.Array', '["normal"]'] }))).toBe(false);
    });

    it('does not match an absent attribute unless the policy asks it not to exist', () => {
      expect(onAttributes({ store: [{ 'anything-but': 'x' }] }, {})).toBe(false);
      expect(onAttributes({ store: [{ exists: false }] }, {})).toBe(true);
      expect(onAttributes({ store: [{ exists: true }] }, attrs({ store: ['String', 'x'] }))).toBe(true);
      expect(onAttributes({ store: [{ exists: false }] }, attrs({ store: ['String', 'x'] }))).toBe(false);
    });

    it('handles prefix, anything-but and $or', () => {
      expect(onAttributes({ mode: [{ prefix: 'fa' }] }, attrs({ mode: ['String', 'fail'] }))).toBe(true);
      expect(onAttributes({ mode: [{ 'anything-but': ['fail'] }] }, attrs({ mode: ['String', 'fail'] }))).toBe(false);
      const or = { $or: [{ a: ['1'] }, { b: ['2'] }] };
      expect(onAttributes(or, attrs({ b: ['String', '2'] }))).toBe(true);
      expect(onAttributes(or, attrs({ b: ['String', '3'] }))).toBe(false);
    });

    it('matches nested properties of the body', () => {
      const policy = { order: { status: ['paid'], total: [{ numeric: ['>=', 10] }] } };
      expect(onBody(policy, { order: { status: 'paid', total: 12 } })).toBe(true);
      expect(onBody(policy, { order: { status: 'paid', total: 2 } })).toBe(false);
      expect(onBody(policy, { status: 'paid', total: 12 })).toBe(false);
    });
  });
});
