import { readFileSync } from 'node:fs';
import velocity from 'velocityjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { PUBLISH_ERROR_TEMPLATE, PUBLISH_SUCCESS_TEMPLATE, publishRequestTemplate } from '../../lib/send-event-api.js';

/**
 * A Java string as API Gateway's Velocity sees it: `replaceAll` takes a
 * regular expression (the template relies on that to undo `\'`).
 */
class JavaString {
  public constructor(private readonly value: string) {}
  public replaceAll(regex: string, replacement: string): string {
    return this.value.replace(new RegExp(regex, 'g'), replacement);
  }
  public toString(): string {
    return this.value;
  }
}

/**
 * What API Gateway's `$util` answers for each input these tests use, written
 * out by hand (not computed), so the tests hold the app's templates and the
 * local engine to the same expected strings.
 *
 * `$util.escapeJavaScript` "escapes the characters in a string using
 * JavaScript string rules"
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 * Apache Commons Lang 2 `StringEscapeUtils.escapeJavaScript`, which escapes
 * `'` `"` `\` `/`, names \b \t \n \f \r, writes other characters below 0x20
 * and every UTF-16 unit above 0x7F as `\uXXXX`, and leaves U+007F (DEL) as
 * it is (`ch > 0x7f`:
 * https://github.com/apache/commons-lang/blob/LANG_2_6/src/main/java/org/apache/commons/lang/StringEscapeUtils.java).
 * `$util.urlEncode` is `java.net.URLEncoder.encode(s, "UTF-8")`: only
 * `A-Za-z0-9.-*_` stay, a space becomes `+`, the rest is `%XX` per UTF-8 byte.
 */
const MODES: ReadonlyArray<{ mode: string; escaped: string; encodedMessage: string }> = [
  { mode: 'fail', escaped: 'fail', encodedMessage: '%7B%22mode%22%3A%22fail%22%7D' },
  { mode: '', escaped: '', encodedMessage: '%7B%22mode%22%3A%22%22%7D' },
  { mode: 'a"b', escaped: 'a\\"b', encodedMessage: '%7B%22mode%22%3A%22a%5C%22b%22%7D' },
  // The template turns `\'` back into `'`: JSON has no `\'` escape.
  { mode: "it's", escaped: "it\\'s", encodedMessage: '%7B%22mode%22%3A%22it%27s%22%7D' },
  {
    mode: 'x&TargetArn=arn:aws:sns:us-east-1:000000000000:evil&Action=DeleteTopic',
    escaped: 'x&TargetArn=arn:aws:sns:us-east-1:000000000000:evil&Action=DeleteTopic',
    encodedMessage: '%7B%22mode%22%3A%22x%26TargetArn%3Darn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3Aevil%26Action%3DDeleteTopic%22%7D',
  },
  { mode: 'fail%26TargetArn%3Devil', escaped: 'fail%26TargetArn%3Devil', encodedMessage: '%7B%22mode%22%3A%22fail%2526TargetArn%253Devil%22%7D' },
  { mode: 'back\\slash and /slash', escaped: 'back\\\\slash and \\/slash', encodedMessage: '%7B%22mode%22%3A%22back%5C%5Cslash+and+%5C%2Fslash%22%7D' },
  { mode: 'new\nline\ttab', escaped: 'new\\nline\\ttab', encodedMessage: '%7B%22mode%22%3A%22new%5Cnline%5Cttab%22%7D' },
  { mode: 'bell\u0007', escaped: 'bell\\u0007', encodedMessage: '%7B%22mode%22%3A%22bell%5Cu0007%22%7D' },
  { mode: 'del\u007f', escaped: 'del\u007f', encodedMessage: '%7B%22mode%22%3A%22del%7F%22%7D' },
  { mode: 'nbsp\u00a0', escaped: 'nbsp\\u00A0', encodedMessage: '%7B%22mode%22%3A%22nbsp%5Cu00A0%22%7D' },
  {
    mode: 'ünïcode ✓ 😀',
    escaped: '\\u00FCn\\u00EFcode \\u2713 \\uD83D\\uDE00',
    encodedMessage: '%7B%22mode%22%3A%22%5Cu00FCn%5Cu00EFcode+%5Cu2713+%5CuD83D%5CuDE00%22%7D',
  },
  { mode: '"}, "mode": "fail', escaped: '\\"}, \\"mode\\": \\"fail', encodedMessage: '%7B%22mode%22%3A%22%5C%22%7D%2C+%5C%22mode%5C%22%3A+%5C%22fail%22%7D' },
  { mode: '</script>', escaped: '<\\/script>', encodedMessage: '%7B%22mode%22%3A%22%3C%5C%2Fscript%3E%22%7D' },
];

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:TheDestinedLambdaStack-Topic';
const ENCODED_TOPIC = 'arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3ATheDestinedLambdaStack-Topic';
const ERROR_MESSAGE = 'User isn\'t "authorized"';
const ESCAPED_ERROR_MESSAGE = 'User isn\\\'t \\"authorized\\"';

/** The expected form body for a mode, from the hand-written table. */
function expectedBody(encodedMessage: string): string {
  return `Action=Publish&TargetArn=${ENCODED_TOPIC}&Message=${encodedMessage}`;
}

/** The mode's JSON as the template assembles it (before URL encoding), with `\'` turned back into `'`. */
function messageOf(escaped: string): string {
  return `{"mode":"${escaped.replaceAll("\\'", "'")}"}`;
}

/** `$util` for velocityjs: answers only what the table above writes out; anything else is a test bug. */
const tableUtil = {
  escapeJavaScript: (s: unknown): JavaString => {
    const text = String(s ?? '');
    const row = MODES.find((m) => m.mode === text);
    if (row) return new JavaString(row.escaped);
    if (text === ERROR_MESSAGE) return new JavaString(ESCAPED_ERROR_MESSAGE);
    throw new Error(`no hand-written escapeJavaScript for ${JSON.stringify(text)}`);
  },
  urlEncode: (s: unknown): string => {
    const text = String(s);
    if (text === TOPIC) return ENCODED_TOPIC;
    const row = MODES.find((m) => messageOf(m.escaped) === text);
    if (row) return row.encodedMessage;
    throw new Error(`no hand-written urlEncode for ${JSON.stringify(text)}`);
  },
};

function render(mode: string | undefined): string {
  return velocity.render(publishRequestTemplate(TOPIC), {
    util: tableUtil,
    // API Gateway's $input.params(name) is '' for a missing parameter.
    input: { params: (name: string) => (name === 'mode' ? (mode ?? '') : '') },
  });
}

describe('Publish request template', () => {
  it('builds the form body SNS Publish expects', () => {
    expect(render('fail')).toBe(
      'Action=Publish&TargetArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3ATheDestinedLambdaStack-Topic' +
        '&Message=%7B%22mode%22%3A%22fail%22%7D',
    );
  });

  it('sends {"mode":""} when the query string has no mode', () => {
    const form = new URLSearchParams(render(undefined));
    expect(form.get('Message')).toBe('{"mode":""}');
  });

  it.each(MODES)('carries mode $mode intact, as valid JSON, without adding form parameters', ({ mode, encodedMessage }) => {
    const body = render(mode);
    expect(body).toBe(expectedBody(encodedMessage));
    expect(body).not.toMatch(/\s/);
    const form = new URLSearchParams(body);
    expect([...form.keys()]).toEqual(['Action', 'TargetArn', 'Message']);
    expect(form.get('Action')).toBe('Publish');
    expect(form.get('TargetArn')).toBe(TOPIC);
    expect(JSON.parse(form.get('Message')!)).toEqual({ mode });
  });
});

describe('response templates', () => {
  const renderResponse = (template: string, body: unknown) =>
    velocity.render(template, {
      input: {
        path: (p: string) => p.replace(/^\$\./, '').split('.').reduce<any>((o, k) => o?.[k], body) ?? '',
      },
      util: tableUtil,
    });

  it('answers the MessageId and RequestId of SNS JSON Publish response', () => {
    const out = renderResponse(PUBLISH_SUCCESS_TEMPLATE, {
      PublishResponse: { PublishResult: { MessageId: 'm-1' }, ResponseMetadata: { RequestId: 'r-1' } },
    });
    expect(JSON.parse(out)).toEqual({ messageId: 'm-1', requestId: 'r-1' });
  });

  it("answers SNS's error code and message as valid JSON", () => {
    const out = renderResponse(PUBLISH_ERROR_TEMPLATE, {
      Error: { Code: 'AuthorizationError', Message: ERROR_MESSAGE, Type: 'Sender' },
      RequestId: 'r-2',
    });
    expect(out).toBe('{"error":{"code":"AuthorizationError","message":"User isn\'t \\"authorized\\""},"requestId":"r-2"}');
    expect(JSON.parse(out)).toEqual({ error: { code: 'AuthorizationError', message: ERROR_MESSAGE }, requestId: 'r-2' });
  });
});

describe('templates rendered by the local runtime\'s API Gateway engine', () => {
  let renderLocal: (template: string, body: string, querystring: Record<string, string>) => string;
  beforeAll(async () => {
    // Imported at run time: the engine belongs to the local runtime, not to the app.
    const { renderMappingTemplate } = await import('../../local/apigateway/vtl.js');
    renderLocal = (template, body, querystring) =>
      renderMappingTemplate(template, { body, params: { path: {}, querystring, header: {} } }, { context: {}, stageVariables: {} });
  });

  it.each(MODES)('publishes mode $mode as the hand-written body', ({ mode, encodedMessage }) => {
    const body = renderLocal(publishRequestTemplate(TOPIC), '', { mode });
    expect(body).toBe(expectedBody(encodedMessage));
    expect(JSON.parse(new URLSearchParams(body).get('Message')!)).toEqual({ mode });
  });

  it.each(MODES)('escapeJavaScript and urlEncode give the hand-written strings for $mode', async ({ mode, escaped, encodedMessage }) => {
    const { escapeJavaScript, urlEncode } = await import('../../local/apigateway/java-values.js');
    expect(escapeJavaScript(mode)).toBe(escaped);
    expect(urlEncode(messageOf(escaped))).toBe(encodedMessage);
    expect(urlEncode(TOPIC)).toBe(ENCODED_TOPIC);
  });

  it('urlEncode gives what AWS recorded for $util.urlEncode', async () => {
    const { urlEncode } = await import('../../local/apigateway/java-values.js');
    const { cases } = JSON.parse(
      readFileSync(new URL('../conformance/apigateway-vtl/cases.json', import.meta.url), 'utf8'),
    ) as { cases: Array<{ id: string; clientRequest: { body?: string }; expectedOutput?: string }> };
    const recorded = cases.filter((c) => c.id.startsWith('input_body_formatting/url-encode/'));
    expect(recorded.map((c) => c.id)).toEqual([
      'input_body_formatting/url-encode/empty-body',
      'input_body_formatting/url-encode/json-body',
      'input_body_formatting/url-encode/str-body',
    ]);
    // The template is `EncodedBody=$util.urlEncode($input.body)&...`; an empty JSON body reads as `{}`.
    for (const c of recorded) {
      const body = c.clientRequest.body === '' ? '{}' : c.clientRequest.body!;
      expect(`EncodedBody=${urlEncode(body)}&EncodedBodyAccess=`, c.id).toBe(c.expectedOutput);
    }
  });

  it('answers the MessageId and the SNS error as JSON', () => {
    const ok = { PublishResponse: { PublishResult: { MessageId: 'm-1' }, ResponseMetadata: { RequestId: 'r-1' } } };
    expect(JSON.parse(renderLocal(PUBLISH_SUCCESS_TEMPLATE, JSON.stringify(ok), {}))).toEqual({ messageId: 'm-1', requestId: 'r-1' });
    const error = { Error: { Code: 'NotFound', Message: "Topic doesn't exist", Type: 'Sender' }, RequestId: 'r-2' };
    expect(JSON.parse(renderLocal(PUBLISH_ERROR_TEMPLATE, JSON.stringify(error), {}))).toEqual({
      error: { code: 'NotFound', message: "Topic doesn't exist" },
      requestId: 'r-2',
    });
  });
});
