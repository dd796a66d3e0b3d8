import { describe, expect, it } from 'vitest';
import {
  applyInputTransformer,
  compileInputTransformer,
  parseJsonPath,
  readJsonPath,
} from '../../../local/eventbridge/input.js';
import { parseCidr } from '../../../local/eventbridge/cidr.js';
import { compileWildcard, wildcardComplexity } from '../../../local/eventbridge/wildcard.js';

const event = {
  id: 'e1',
  source: 'app',
  detail: { 'a-b': { list: [10, { deep: 'x' }] }, text: 'say "hi"', n: 4, flag: false, obj: { k: 'v' } },
};
const ctx = { ruleArn: 'arn:aws:events:us-east-1:1:rule/r', ruleName: 'r', ingestionTime: '2026-01-01T00:00:00.000Z' };

describe('JSONPath subset', () => {
  it('reads $, dotted names, indexes and quoted names', () => {
    expect(readJsonPath(event, parseJsonPath('$'))).toBe(event);
    expect(readJsonPath(event, parseJsonPath('$.detail.a-b.list[1].deep'))).toBe('x');
    expect(readJsonPath(event, parseJsonPath("$['detail']['n']"))).toBe(4);
    expect(readJsonPath(event, parseJsonPath('$.detail.missing.x'))).toBeUndefined();
    expect(readJsonPath(event, parseJsonPath('$.detail.a-b.list.0'))).toBeUndefined();
  });

  it('rejects paths outside the subset', () => {
    expect(() => parseJsonPath('detail')).toThrow(/must start with/);
    expect(() => parseJsonPath('$.a[*]')).toThrow(/unsupported selector/);
    expect(() => parseJsonPath('$..a')).toThrow(/empty name/);
  });
});

describe('InputTransformer', () => {
  const fill = (map: Record<string, string>, template: string) =>
    applyInputTransformer(compileInputTransformer({ InputPathsMap: map, InputTemplate: template }), event, ctx);

  it('inserts raw text inside quotes and JSON outside', () => {
    const out = fill(
      { t: '$.detail.text', n: '$.detail.n', f: '$.detail.flag', o: '$.detail.obj', gone: '$.detail.nothing' },
      '{"say": "<t>!", "n": <n>, "f": <f>, "o": <o>, "os": "<o>", "gone": <gone>, "t": <t>}',
    );
    expect(JSON.parse(out)).toEqual({ say: 'say "hi"!', n: 4, f: false, o: { k: 'v' }, os: '{"k":"v"}', gone: null, t: 'say "hi"' });
  });

  it('provides the predefined variables', () => {
    const out = fill(
      {},
      '{"arn": "<aws.events.rule-arn>", "name": "<aws.events.rule-name>", "at": "<aws.events.event.ingestion-time>", "e": <aws.events.event>}',
    );
    expect(JSON.parse(out)).toEqual({ arn: ctx.ruleArn, name: 'r', at: ctx.ingestionTime, e: event });
  });

  it('keeps plain-text templates and unknown placeholders', () => {
    expect(fill({ s: '$.source' }, 'source <s> and <other>')).toBe('source "app" and <other>');
  });

  it('validates at load', () => {
    expect(() => compileInputTransformer({ InputPathsMap: {} })).toThrow(/InputTemplate/);
    expect(() => compileInputTransformer({ InputPathsMap: { 'aws.events.rule-arn': '$' }, InputTemplate: 'x' })).toThrow(
      /reserved/,
    );
    expect(() => compileInputTransformer({ InputPathsMap: { a: 'nope' }, InputTemplate: 'x' })).toThrow(/JSONPath/);
  });
});

describe('cidr and wildcard helpers', () => {
  it('parses CIDR blocks with EventBridge wording for errors', () => {
    expect(parseCidr('::/0').bits).toBe(0);
    expect(() => parseCidr('1.2.3.4')).toThrow("Malformed CIDR, one '/' required");
    expect(() => parseCidr('1.2.3/8')).toThrow('Nonstandard IP address: 1.2.3');
    expect(() => parseCidr('1.2.3.4/x')).toThrow('Malformed CIDR, mask bits must be an integer');
  });

  it('measures wildcard complexity and matches with escapes', () => {
    expect(wildcardComplexity('a*b')).toBeLessThan(wildcardComplexity('*:*:*:*:*:x/*'));
    const test = compileWildcard('a\\\\*z');
    expect(test('a\\mid z')).toBe(true);
    expect(test('a\\')).toBe(false);
    expect(() => compileWildcard('a\\q')).toThrow('Invalid escape character at pos 1');
  });
});
