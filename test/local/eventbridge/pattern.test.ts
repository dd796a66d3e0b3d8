import { describe, expect, it } from 'vitest';
import { compilePattern, matchesPattern, testEventPattern } from '../../../local/eventbridge/pattern.js';
import { AwsError } from '../../../local/protocol/errors.js';

const m = (pattern: object, event: object) => compilePattern(pattern).matches(event);

function patternError(pattern: string | object): AwsError {
  try {
    compilePattern(pattern);
  } catch (error) {
    return error as AwsError;
  }
  throw new Error('pattern was accepted');
}

describe('exact values', () => {
  it('compares numbers numerically and keeps types apart', () => {
    expect(m({ n: [300] }, { n: 300.0 })).toBe(true);
    expect(m({ n: [300] }, { n: '300' })).toBe(false);
    expect(m({ n: ['300'] }, { n: 300 })).toBe(false);
    expect(m({ b: [true] }, { b: 'true' })).toBe(false);
    expect(m({ z: [null] }, { z: null })).toBe(true);
    expect(m({ z: [null] }, {})).toBe(false);
    expect(m({ s: [''] }, { s: '' })).toBe(true);
  });

  it('matches any element of an event array and reads through arrays of objects', () => {
    expect(m({ resources: ['b'] }, { resources: ['a', 'b'] })).toBe(true);
    expect(m({ a: { id: ['x'] } }, { a: [{ k: 1 }, { id: 'x' }] })).toBe(true);
    expect(m({ a: ['x'] }, { a: { x: 1 } })).toBe(false);
  });

  it('matches fields of an array of objects only within one element (array consistency)', () => {
    const p = compilePattern({ items: { a: [1], b: [2] } });
    expect(p.matches({ items: [{ a: 1, b: 3 }, { a: 4, b: 2 }] })).toBe(false);
    expect(p.matches({ items: [{ a: 1, b: 3 }, { a: 1, b: 2 }] })).toBe(true);
    expect(m({ items: { a: [1] }, top: ['x'] }, { items: [{ a: 1 }], top: 'x' })).toBe(true);
    expect(m({ r: ['a'], s: ['b'] }, { r: ['z', 'a'], s: ['b', 'y'] })).toBe(true);
  });

  it('treats dotted keys as nested paths on both sides', () => {
    expect(m({ 'a.b': ['v'] }, { a: { b: 'v' } })).toBe(true);
    expect(m({ a: { b: ['v'] } }, { 'a.b': 'v' })).toBe(true);
  });
});

describe('operators', () => {
  it('prefix / suffix, with equals-ignore-case forms', () => {
    expect(m({ s: [{ prefix: 'ab' }] }, { s: 'abc' })).toBe(true);
    expect(m({ s: [{ prefix: 'ab' }] }, { s: 'ABc' })).toBe(false);
    expect(m({ s: [{ prefix: { 'equals-ignore-case': 'ab' } }] }, { s: 'ABc' })).toBe(true);
    expect(m({ s: [{ suffix: '.png' }] }, { s: 'a.PNG' })).toBe(false);
    expect(m({ s: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { s: 'a.PNG' })).toBe(true);
    expect(m({ s: [{ prefix: '1' }] }, { s: 12 })).toBe(false);
  });

  it('anything-but with values, prefix, suffix, wildcard and equals-ignore-case', () => {
    expect(m({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'c' })).toBe(true);
    expect(m({ s: [{ 'anything-but': ['a', 'b'] }] }, { s: 'a' })).toBe(false);
    expect(m({ s: [{ 'anything-but': ['a'] }] }, {})).toBe(false);
    expect(m({ s: [{ 'anything-but': ['a'] }] }, { s: null })).toBe(true);
    expect(m({ n: [{ 'anything-but': [1, 2] }] }, { n: 2.0 })).toBe(false);
    expect(m({ s: [{ 'anything-but': { prefix: 'in' } }] }, { s: 'init' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { suffix: ['.a', '.b'] } }] }, { s: 'x.c' })).toBe(true);
    expect(m({ s: [{ 'anything-but': { wildcard: '*/x/*' } }] }, { s: 'a/x/b' })).toBe(false);
    expect(m({ s: [{ 'anything-but': { 'equals-ignore-case': ['AB'] } }] }, { s: 'ab' })).toBe(false);
  });

  it('numeric ranges and equality', () => {
    const p = compilePattern({ n: [{ numeric: ['>', 0, '<=', 5] }] });
    expect(p.matches({ n: 5 })).toBe(true);
    expect(p.matches({ n: 0 })).toBe(false);
    expect(p.matches({ n: '3' })).toBe(false);
    expect(m({ n: [{ numeric: ['=', 301.8] }] }, { n: 3.018e2 })).toBe(true);
    expect(m({ n: [{ numeric: ['>=', 10] }] }, { n: 10 })).toBe(true);
    expect(m({ n: [{ numeric: ['<', -1] }] }, { n: -1 })).toBe(false);
  });

  it('exists true/false only on leaves', () => {
    expect(m({ a: [{ exists: true }] }, { a: null })).toBe(true);
    expect(m({ a: [{ exists: true }] }, { a: { b: 1 } })).toBe(false);
    expect(m({ a: [{ exists: false }] }, {})).toBe(true);
    expect(m({ a: [{ exists: false }] }, { a: [] })).toBe(true);
    expect(m({ a: [{ exists: false }] }, { a: 'x' })).toBe(false);
  });

  it('cidr for IPv4 and IPv6', () => {
    expect(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' })).toBe(true);
    expect(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' })).toBe(false);
    expect(m({ ip: [{ cidr: '2001:db8:1234:1a00::/64' }] }, { ip: '2001:db8:1234:1a00:ffff::1' })).toBe(true);
    expect(m({ ip: [{ cidr: '2001:db8:1234:1a00::/64' }] }, { ip: '2001:db8:1234:1a01::1' })).toBe(false);
    expect(m({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '::ffff:10.0.0.1' })).toBe(false);
    expect(m({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 10 })).toBe(false);
  });

  // A mask that ends inside a byte: only its high bits of that byte must agree.
  it.each([
    ['10.1.16.0/20', ['10.1.16.0', '10.1.20.7', '10.1.31.255'], ['10.1.15.255', '10.1.32.0', '10.1.48.1', '10.2.16.0']],
    ['192.168.1.64/27', ['192.168.1.64', '192.168.1.80', '192.168.1.95'], ['192.168.1.63', '192.168.1.96', '192.168.1.0', '192.168.1.192']],
    ['172.16.0.0/12', ['172.16.0.1', '172.31.255.255'], ['172.15.255.255', '172.32.0.0']],
    ['10.0.0.1/31', ['10.0.0.0', '10.0.0.1'], ['10.0.0.2', '10.0.0.3']],
    ['10.0.0.128/25', ['10.0.0.128', '10.0.0.255'], ['10.0.0.127', '10.0.0.0']],
    ['0.0.0.0/1', ['0.0.0.0', '127.255.255.255'], ['128.0.0.0', '255.255.255.255']],
    ['2001:db8:1234:1000::/52', ['2001:db8:1234:1000::', '2001:db8:1234:1fff:ffff:ffff:ffff:ffff'], ['2001:db8:1234:fff::', '2001:db8:1234:2000::']],
    ['2001:db8::/29', ['2001:db8::1', '2001:dbf:ffff::'], ['2001:db7:ffff::', '2001:dc0::']],
  ])('cidr %s: a mask inside a byte keeps exactly its range', (block, inside, outside) => {
    const pattern = { ip: [{ cidr: block }] };
    for (const ip of inside) expect(m(pattern, { ip }), `${ip} in ${block}`).toBe(true);
    for (const ip of outside) expect(m(pattern, { ip }), `${ip} not in ${block}`).toBe(false);
  });

  it('wildcard with escapes', () => {
    expect(m({ f: [{ wildcard: '/Users/*/doc.txt' }] }, { f: '/Users/me/a/doc.txt' })).toBe(true);
    expect(m({ f: [{ wildcard: 'a\\*b' }] }, { f: 'a*b' })).toBe(true);
    expect(m({ f: [{ wildcard: 'a\\*b' }] }, { f: 'axb' })).toBe(false);
    expect(m({ f: [{ wildcard: '' }] }, { f: 'x' })).toBe(false);
  });

  it('$or at top level and nested, combined with sibling fields', () => {
    const p = compilePattern({ source: ['s'], detail: { $or: [{ a: [1] }, { b: [2] }] } });
    expect(p.matches({ source: 's', detail: { b: 2 } })).toBe(true);
    expect(p.matches({ source: 't', detail: { b: 2 } })).toBe(false);
    expect(p.matches({ source: 's', detail: { a: 2 } })).toBe(false);
    expect(m({ $or: [{ a: ['x'] }, { b: ['y'] }] }, { b: 'y' })).toBe(true);
  });
});

describe('validation', () => {
  // Column: where AWS's streaming JSON parser stands when it refuses (1-based), hand-counted.
  it.each([
    ['{"a": []}', 'Empty arrays are not allowed', 9],
    ['{"a": 1}', '"a" must be an object or an array', 8],
    ['{"a": [{"numeric": [">", 5, "<", 1]}]}', 'Bottom must be less than top', 36],
    ['{"a": [{"numeric": ["!", 5]}]}', 'Unrecognized numeric range operator: !', 27],
    ['{"a": [{"exists": "yes"}]}', 'exists match pattern must be either true or false.', 20],
    ['{"a": [{"wildcard": "a**"}]}', 'Consecutive wildcard characters at pos 2', 26],
    ['{"a": [{"anything-but": [1, "a"]}]}', 'Inside anything but list, either all values are number or string, mixed type is not supported', 33],
    ['{"$or": [{"a": [1]}]}', 'There must have at least 2 Objects in $or relationship.', 21],
    ['{"a": [{"prefix": "x", "suffix": "y"}]}', 'Only one key allowed in match expression', 35],
    ['{}', 'Empty objects are not allowed', 3],
    ['{"a": ["x"]', 'Unexpected end-of-input: expected close marker for Object', 12],
  ])('%s is rejected: %s, at column %i', (pattern, reason, column) => {
    const error = patternError(pattern);
    expect(error.code).toBe('InvalidEventPatternException');
    expect(error.statusCode).toBe(400);
    expect(error.message).toBe(
      `Event pattern is not valid. Reason: ${reason}\n at [Source: (String)"${pattern}"; line: 1, column: ${column}]`,
    );
  });

  it.each([
    ['{"a": [{"cidr": "10.0.0.0/33"}]}', 'Malformed CIDR, mask bits must be between 0 and 32'],
    ['{"a": [{"wildcard": "*:*:*:*:*:event-bus/*"}]}', 'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character'],
  ])('%s is rejected without a location, as AWS does: %s', (pattern, reason) => {
    expect(patternError(pattern).message).toBe(`Event pattern is not valid. Reason: ${reason}`);
  });

  it('prints the location twice for a refusal inside an anything-but list, as AWS does', () => {
    const pattern = '{"a": [{"anything-but": ["x", true]}]}';
    const at = `\n at [Source: (String)"${pattern}"; line: 1, column: 35]`;
    expect(patternError(pattern).message).toBe(
      `Event pattern is not valid. Reason: Inside anything but list, start|null|boolean is not supported.${at}${at}`,
    );
  });

  it('counts lines and columns in a pattern spread over lines (CR LF is one line break)', () => {
    const pattern = '{\r\n  "a": [\n    1,\n    []\n  ]\n}';
    expect(patternError(pattern).message).toBe(
      `Event pattern is not valid. Reason: Match value must be String, number, true, false, or null\n at [Source: (String)"${pattern}"; line: 4, column: 6]`,
    );
  });

  it('quotes at most 500 characters of the pattern and writes control characters as \\u escapes', () => {
    const pattern = `{\t"a": 1, "${'b'.repeat(600)}": [1]}`;
    const quoted = `{\\u0009"a": 1, "${'b'.repeat(500 - 11)}`;
    expect(patternError(pattern).message).toBe(
      `Event pattern is not valid. Reason: "a" must be an object or an array\n at [Source: (String)"${quoted}"[truncated ${pattern.length - 500} chars]; line: 1, column: 9]`,
    );
  });

  it('reads a pattern given as an object as its JSON text', () => {
    expect(patternError({ detail: { n: [{ numeric: ['<', 'x'] }] } }).message).toBe(
      'Event pattern is not valid. Reason: Value of < must be numeric\n at [Source: (String)"{\"detail\":{\"n\":[{\"numeric\":[\"<\",\"x\"]}]}}"; line: 1, column: 34]',
    );
  });
});

describe('long dotted paths', () => {
  const segments = Array.from({ length: 20 }, (_, i) => `s${i}`);
  const pattern = { [segments.join('.')]: ['x'] };

  it('split anywhere in the event, as short paths are', () => {
    const nest = (cuts: number[], value: unknown): unknown => {
      // Keys made of the segments between consecutive cuts, innermost last.
      const bounds = [0, ...cuts, segments.length];
      let out = value;
      for (let i = bounds.length - 2; i >= 0; i--) out = { [segments.slice(bounds[i], bounds[i + 1]).join('.')]: out };
      return out;
    };
    for (const cuts of [[], [1], [19], [3, 7, 12], Array.from({ length: 19 }, (_, i) => i + 1)]) {
      expect(matchesPattern(pattern, nest(cuts, 'x')), `cuts ${cuts.join(',')}`).toBe(true);
      expect(matchesPattern(pattern, nest(cuts, 'y')), `cuts ${cuts.join(',')}`).toBe(false);
    }
  });

  it('ignores a key that is a prefix of a segment rather than ending at a dot', () => {
    expect(matchesPattern(pattern, { s0: { 's1.s': { [segments.slice(2).join('.')]: 'x' } } })).toBe(false);
    expect(matchesPattern(pattern, { 's0.s1.s2.s3.s4.s5.s6.s7.s8.s9.s1': { '0.s11': 'x' } })).toBe(false);
  });

  it('compiles and matches a key with thousands of dots (a request may send one)', () => {
    const long = Array.from({ length: 3000 }, () => 'a').join('.');
    const compiled = compilePattern(`{"${long}": ["x"]}`);
    let event: unknown = 'x';
    for (let i = 0; i < 3000; i++) event = { a: event };
    expect(compiled.matches(event)).toBe(true);
  });
});

describe('nesting depth', () => {
  it('answers InvalidEventPatternException for a pattern nested past 1000 levels instead of overflowing the stack', () => {
    for (const pattern of ['['.repeat(100_000), '{"a":'.repeat(100_000)]) {
      const error = patternError(pattern);
      expect(error.code).toBe('InvalidEventPatternException');
      // Jackson's StreamConstraintsException carries no parser location.
      expect(error.message).toBe(
        'Event pattern is not valid. Reason: Document nesting depth (1001) exceeds the maximum allowed (1000, from `StreamReadConstraints.getMaxNestingDepth()`)',
      );
    }
  });

  it('still compiles and matches a pattern 999 objects deep', () => {
    const depth = 999;
    const pattern = '{"a":'.repeat(depth - 1) + '{"a":["x"]}' + '}'.repeat(depth - 1);
    let event: unknown = 'x';
    for (let i = 0; i < depth; i++) event = { a: event };
    expect(matchesPattern(pattern, event)).toBe(true);
  });
});

describe('matchesPattern and testEventPattern', () => {
  it('caches compiled patterns by identity and text', () => {
    const pattern = { source: ['x'] };
    expect(matchesPattern(pattern, { source: 'x' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'y' })).toBe(false);
    expect(matchesPattern('{"source":["y"]}', { source: 'y' })).toBe(true);
  });

  it('rejects events without the envelope fields with ValidationException', () => {
    const event = { id: '1', account: '1', source: 's', time: 't', region: 'r', 'detail-type': 'd' };
    expect(testEventPattern('{"source":["s"]}', JSON.stringify(event))).toBe(true);
    const { region: _omit, ...noRegion } = event;
    expect(() => testEventPattern('{"source":["s"]}', JSON.stringify(noRegion))).toThrow(
      expect.objectContaining({ code: 'ValidationException', message: 'Parameter Event is not valid.' }),
    );
  });
});
