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
    // A path that selects nothing is delivered as "" (recorded on AWS), not null.
    expect(JSON.parse(out)).toEqual({ say: 'say "hi"!', n: 4, f: false, o: { k: 'v' }, os: '{"k":"v"}', gone: '', t: 'say "hi"' });
  });

  it('provides the predefined variables', () => {
    const out = fill(
      {},
      '{"arn": "<aws.events.rule-arn>", "name": "<aws.events.rule-name>", "at": "<aws.events.event.ingestion-time>", "e": <aws.events.event>}',
    );
    expect(JSON.parse(out)).toEqual({ arn: ctx.ruleArn, name: 'r', at: ctx.ingestionTime, e: { id: 'e1', source: 'app' } });
  });

  it('gives aws.events.event without detail (detailType, AWS key order) and aws.events.event.json whole', () => {
    const envelope = {
      version: '0',
      id: 'e2',
      'detail-type': 'T',
      source: 's',
      account: '1',
      time: '2026-01-01T00:00:00Z',
      region: 'r',
      resources: [],
      detail: { k: 1 },
    };
    const t = compileInputTransformer({ InputTemplate: '{"e": <aws.events.event>, "j": <aws.events.event.json>}' });
    const out = JSON.parse(applyInputTransformer(t, envelope, ctx)) as { e: object; j: object };
    expect(Object.entries(out.e)).toEqual([
      ['id', 'e2'],
      ['account', '1'],
      ['detailType', 'T'],
      ['time', '2026-01-01T00:00:00Z'],
      ['source', 's'],
      ['region', 'r'],
      ['resources', []],
      ['version', '0'],
    ]);
    expect(out.j).toEqual(envelope);
  });

  it('keeps plain-text templates and text that is no placeholder', () => {
    expect(fill({ s: '$.source' }, 'source <s> and <not one>')).toBe('source "app" and <not one>');
  });

  it('rejects a placeholder that is neither in InputPathsMap nor predefined, as PutTargets does', () => {
    expect(() => compileInputTransformer({ InputPathsMap: { s: '$.source' }, InputTemplate: '"<s> <other>"' })).toThrow(
      'InputTemplate contains invalid placeholder other.',
    );
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
