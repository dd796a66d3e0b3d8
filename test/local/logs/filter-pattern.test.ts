import { describe, expect, it } from 'vitest';
import { compileFilterPattern, compileGlob } from '../../../local/logs/filter-pattern.js';
import { AwsError } from '../../../local/protocol/errors.js';

const json = (value: unknown) => JSON.stringify(value);

const cases: Array<[pattern: string, message: string, expected: boolean]> = [
  // Empty pattern: everything.
  ['', 'anything at all', true],
  ['   ', 'anything at all', true],
  // Terms: all must appear, case-sensitive.
  ['ERROR', '[ERROR 400] BAD REQUEST', true],
  ['ERROR', '[error 400] bad request', false],
  ['ERROR BAD', '[ERROR 400] BAD REQUEST', true],
  ['ERROR MISSING', '[ERROR 400] BAD REQUEST', false],
  // Any of the ?-terms.
  ['?ERROR ?WARN', 'WARN disk almost full', true],
  ['?ERROR ?WARN', 'INFO all good', false],
  // Exclusion.
  ['ERROR -Exiting', 'ERROR something failed', true],
  ['ERROR -Exiting', 'ERROR Exiting now', false],
  // Quoted phrases keep spaces and punctuation.
  ['"hello world"', 'say hello world!', true],
  ['"hello world"', 'hello big world', false],
  ['"user@example.com"', 'login by user@example.com', true],
  ['"say \\"hi\\""', 'they say "hi" there', true],
  // Regex between % signs.
  ['%ERR[O]?R?%', 'ERR 5', true],
  ['%ERROR|WARN%', 'a WARN b', true],
  ['%[0-9]{3}%', 'code 42', false],
  ['%^START%', 'END START', false],
  // JSON: strings, wildcards, numbers.
  ['{ $.eventType = "UpdateTrail" }', json({ eventType: 'UpdateTrail' }), true],
  ['{ $.eventType = "UpdateTrail" }', json({ eventType: 'CreateTrail' }), false],
  ['{ $.eventType = UpdateTrail }', json({ eventType: 'UpdateTrail' }), true],
  ['{ $.a.b = "str*" }', json({ a: { b: 'string' } }), true],
  ['{ $.a.b = "str*" }', json({ a: { b: 'other' } }), false],
  ['{ $.sourceIPAddress != 123.123.* }', json({ sourceIPAddress: '10.0.0.1' }), true],
  ['{ $.sourceIPAddress != 123.123.* }', json({ sourceIPAddress: '123.123.4.5' }), false],
  ['{ $.latency > 500 }', json({ latency: 501 }), true],
  ['{ $.latency > 500 }', json({ latency: 500 }), false],
  ['{ $.latency >= 500 }', json({ latency: 500 }), true],
  ['{ $.latency < 1e3 }', json({ latency: 999.5 }), true],
  ['{ $.latency <= -1 }', json({ latency: 0 }), false],
  ['{ $.code = 200 }', json({ code: 200 }), true],
  ['{ $.code = 200 }', json({ code: 200.0 }), true],
  ['{ $.code != 200 }', json({ code: 404 }), true],
  ['{ $.latency > 500 }', json({ latency: 'slow' }), false],
  // `!=` with values that are not numbers: a string differs or not as text, with or without a wildcard;
  // a numeric `!=` holds for a value that is not a number (it equals no number) but not for "200".
  ['{ $.name != "bob" }', json({ name: 'alice' }), true],
  ['{ $.name != "bob" }', json({ name: 'bob' }), false],
  ['{ $.name != "bob" }', json({ name: 'bobby' }), true],
  ['{ $.name != bob* }', json({ name: 'bobby' }), false],
  ['{ $.name != bob* }', json({ name: 'alice' }), true],
  ['{ $.code != 200 }', json({ code: 'abc' }), true],
  ['{ $.code != 200 }', json({ code: true }), true],
  ['{ $.code != 200 }', json({ code: '200' }), false],
  ['{ $.code = 200 }', json({ code: 'abc' }), false],
  ['[ip, status != 404]', '10.0.0.1 -', true],
  ['[ip, status != 404]', '10.0.0.1 404', false],
  ['[ip, user != frank]', '10.0.0.1 alice', true],
  ['[ip, user != frank]', '10.0.0.1 frank', false],
  ['[ip, user != frank]', '10.0.0.1 frankie', true],
  // Missing fields never compare.
  ['{ $.missing = "x" }', json({ other: 'x' }), false],
  ['{ $.missing != "x" }', json({ other: 'x' }), false],
  // Exists via wildcard (CDK FilterPattern.exists).
  ['{ $.field = "*" }', json({ field: 'v' }), true],
  ['{ $.field = "*" }', json({ other: 'v' }), false],
  // Logical operators and parentheses.
  ['{ $.a = 1 && $.b = 2 }', json({ a: 1, b: 2 }), true],
  ['{ $.a = 1 && $.b = 2 }', json({ a: 1, b: 3 }), false],
  ['{ $.a = 1 || $.b = 2 }', json({ a: 0, b: 2 }), true],
  ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', json({ user: { id: 1 }, users: [{ email: 'John.Doe@example.com' }] }), true],
  ['{ ($.a = 1 || $.b = 2) && $.c = "x" }', json({ a: 0, b: 2, c: 'y' }), false],
  ['{ $.a = 1 || $.b = 2 && $.c = "x" }', json({ a: 1, b: 0, c: 'y' }), true],
  // IS NULL, NOT EXISTS, IS TRUE / FALSE.
  ['{ $.obj IS NULL }', json({ obj: null }), true],
  ['{ $.obj IS NULL }', json({}), false],
  ['{ $.obj NOT EXISTS }', json({}), true],
  ['{ $.obj NOT EXISTS }', json({ obj: null }), false],
  ['{ $.flag IS TRUE }', json({ flag: true }), true],
  ['{ $.flag IS TRUE }', json({ flag: 'true' }), false],
  ['{ $.flag IS FALSE }', json({ flag: false }), true],
  // Arrays by index.
  ['{ $.numbers[0] > 0 }', json({ numbers: [1, -1] }), true],
  ['{ $.numbers[1] > 0 }', json({ numbers: [1, -1] }), false],
  ['{ $.numbers[5] > 0 }', json({ numbers: [1] }), false],
  // Regex value.
  ['{ $.message = %address.already% }', json({ message: 'bind: address already in use' }), true],
  // Non-JSON messages never match a JSON pattern.
  ['{ $.a = 1 }', 'not json {', false],
  ['{ $.a = 1 }', '[1,2]', false],
  // Destined Lambda style: the logger prints the whole event.
  ['{ $.detail.requestContext.condition = "RetriesExhausted" }', json({ detail: { requestContext: { condition: 'RetriesExhausted' } } }), true],
  // Space-delimited.
  ['[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]', '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534', true],
  ['[ip, user, username, timestamp, request, status_code = 4*, bytes > 1000]', '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 534', false],
  ['[..., status_code = 404 || status_code = 500, bytes]', 'a b c 500 12', true],
  ['[level = ERROR, ...]', 'ERROR something bad happened', true],
  ['[level = ERROR, ...]', 'INFO ERROR', false],
  ['[a, b]', 'one two three', false],
];

describe('CloudWatch Logs filter patterns', () => {
  it.each(cases)('%s on %s -> %s', (pattern, message, expected) => {
    expect(compileFilterPattern(pattern)(message)).toBe(expected);
  });

  const invalid = ['{ $.a = 1', '[a, b', '{ a = 1 }', '{ $.a ~ 1 }', '{ $.a > "x" }', '{ $.a IS MAYBE }', '"unterminated', 'email@domain.com', '?', '{ ($.a = 1 }', '{ $.a = 1 $.b = 2 }', '%ERR(OR)?%', '%two words%', '{ $.m = %a b% }',
    // AWS allows at most two regexes per JSON or delimited pattern.
    '{ $.a = %x% || $.b = %y% || $.c = %z% }', '[a = %x%, b = %y%, c = %z%]'];
  it.each(invalid)('rejects %s with InvalidParameterException', (pattern) => {
    let error: unknown;
    try {
      compileFilterPattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AwsError);
    expect((error as AwsError).code).toBe('InvalidParameterException');
    expect((error as AwsError).statusCode).toBe(400);
  });

  it('names the unbalanced brace as AWS does', () => {
    expect(() => compileFilterPattern('{ $.a = 1')).toThrow("If a filter pattern starts with '{' it must end with '}'");
  });
});

describe('filter patterns run in linear time (no ReDoS)', () => {
  // Before the fix each of these backtracked for minutes on one line; the
  // test's own timeout is the deadline that proves "not stalled".
  const line = `GET /prod/SendEvent?mode=${'a'.repeat(2_000)}`;
  const hostile: Array<[string, string]> = [
    ['%a*a*a*a*a*Q%', line],
    ['{ $.x = "*a*a*a*b" }', JSON.stringify({ x: 'a'.repeat(2_000) })],
    ['{ $.x = %a*a*a*a*a*Q% }', JSON.stringify({ x: 'a'.repeat(2_000) })],
    ['[..., ..., ..., ..., x = Q]', Array.from({ length: 400 }, () => 'a').join(' ')],
  ];
  it.each(hostile)('%s answers false at once', (pattern, message) => {
    const matches = compileFilterPattern(pattern);
    for (let i = 0; i < 50; i++) expect(matches(message)).toBe(false);
  });

  const globs: Array<[glob: string, text: string, expected: boolean]> = [
    ['*', '', true],
    ['a*', 'abc', true],
    ['*c', 'abc', true],
    ['a*c', 'ac', true],
    ['a*c', 'a', false],
    ['ab*bc', 'abc', false],
    ['*a*a*a*b', 'aaab', true],
    ['*a*a*a*b', 'aab', false],
    ['x*y*z', 'xyyz', true],
    ['x*y*z', 'xzy', false],
    ['**', 'anything', true],
    ['a.b*', 'a.bc', true],
    ['a.b*', 'axbc', false],
  ];
  it.each(globs)('glob %s on %s -> %s', (glob, text, expected) => {
    expect(compileGlob(glob)(text)).toBe(expected);
  });
});
