/**
 * The Query protocol's JSON answer (Accept: application/json), byte for byte:
 * API Gateway service integrations read it with `$input.path`.
 */
import { describe, expect, it } from 'vitest';
import { handleQuery, parseForm, type QueryService } from '../../../local/protocol/query.js';

const service: QueryService = {
  version: '2010-03-31',
  xmlns: 'http://sns.amazonaws.com/doc/2010-03-31/',
  signingName: 'sns',
  operations: {
    Publish: () => ({ MessageId: 'm-1' }),
    Nothing: () => undefined,
  },
};

describe('Query JSON answers', () => {
  it('put the result before the response metadata, and leave out an empty result', async () => {
    const published = await handleQuery(new Map([['Action', 'Publish']]), service, 'application/json');
    const id = published.headers['x-amzn-requestid']!;
    expect(published.body).toBe(`{"PublishResponse":{"PublishResult":{"MessageId":"m-1"},"ResponseMetadata":{"RequestId":"${id}"}}}`);
    expect(published.headers['content-type']).toBe('application/json');
    const nothing = await handleQuery(new Map([['Action', 'Nothing']]), service, 'application/json');
    expect(nothing.body).toBe(`{"NothingResponse":{"ResponseMetadata":{"RequestId":"${nothing.headers['x-amzn-requestid']!}"}}}`);
  });

  it('write the text JSON.stringify gives for the answer, whatever the result and the action name', async () => {
    const results: unknown[] = [null, '', 'a"b\\c\u2028', 0, -1.5, true, [], [1, undefined, 'x'], {}, { a: undefined, b: [{ c: null }] }, { MessageId: 'm' }];
    for (const result of results) {
      for (const action of ['Publish', 'Odd"Name\\', 'é']) {
        const answer = await handleQuery(new Map([['Action', action]]), { ...service, operations: { [action]: () => result as never } }, 'application/json');
        const RequestId = answer.headers['x-amzn-requestid'];
        const expected = JSON.stringify({ [`${action}Response`]: { [`${action}Result`]: result, ResponseMetadata: { RequestId } } });
        expect(answer.body, `${action} ${JSON.stringify(result)}`).toBe(expected);
      }
    }
  });

  it('answer an unknown action with the JSON error', async () => {
    const response = await handleQuery(new Map([['Action', 'toString']]), service, 'application/json');
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(String(response.body)).Error.Code).toBe('InvalidAction');
  });
});

describe('parseForm', () => {
  /** What URLSearchParams reads, the first value of a repeated name kept: the reference. */
  function reference(body: string): [string, string][] {
    const out = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(body)) if (!out.has(k)) out.set(k, v);
    return [...out];
  }

  it('reads a form as URLSearchParams does, on tricky and random bodies', () => {
    const bodies = [
      '',
      '?',
      '?a=1',
      '??a=1',
      'Action=Publish&TargetArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3AT&Message=%7B%22mode%22%3A%22%22%7D',
      'a=1&a=2&b&c=&=d&&e==f&g=h=i',
      'a+b=c+d&%2B=%2b&sp%20ace=x%20y',
      'bad=%zz&pct=%&half=%4&ok=1',
      'utf=%C3%A9%E4%B8%AD%F0%9F%98%80&raw=é中😀',
      'notutf=%C3%28&over=%C0%AF&sur=%ED%A0%80&bom=%EF%BB%BFx',
      'lone=a\ud800b&pair=\ud83d\ude00',
      'x=\udc00',
      'constructor=1&__proto__=2&hasOwnProperty=3',
      'a;b=c&d',
    ];
    const alphabet = ['a', 'b', '=', '&', '+', '%', '2', 'B', 'C3', 'A9', 'E', 'zz', '?', 'é', '\ud83d\ude00', '\ud800', ' ', ';'];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 500; i++) {
      let body = '';
      const length = Math.floor(random() * 16);
      for (let j = 0; j < length; j++) body += alphabet[Math.floor(random() * alphabet.length)];
      bodies.push(body);
    }
    for (const body of bodies) expect([...parseForm(body)], JSON.stringify(body)).toEqual(reference(body));
  });
});
