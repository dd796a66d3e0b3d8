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

/** Apache Commons Lang `StringEscapeUtils.escapeJavaScript`, which `$util.escapeJavaScript` uses. */
function escapeJavaScript(input: string): JavaString {
  let out = '';
  for (const ch of input) {
    const code = ch.codePointAt(0)!;
    const named: Record<string, string> = { '\b': '\\b', '\n': '\\n', '\t': '\\t', '\f': '\\f', '\r': '\\r', "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/' };
    if (named[ch]) out += named[ch];
    else if (code < 32 || code > 0x7e) {
      for (const unit of ch.split('')) out += `\\u${unit.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    } else out += ch;
  }
  return new JavaString(out);
}

/** `java.net.URLEncoder.encode(s, "UTF-8")`, which `$util.urlEncode` uses: a space becomes `+`. */
function urlEncode(input: unknown): string {
  return encodeURIComponent(String(input))
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

const TOPIC = 'arn:aws:sns:us-east-1:000000000000:TheDestinedLambdaStack-Topic';

function render(mode: string | undefined): string {
  return velocity.render(publishRequestTemplate(TOPIC), {
    util: { escapeJavaScript: (s: unknown) => escapeJavaScript(String(s ?? '')), urlEncode },
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

  it.each([
    'fail',
    'a"b',
    "it's",
    'x&TargetArn=arn:aws:sns:us-east-1:000000000000:evil&Action=DeleteTopic',
    'fail%26TargetArn%3Devil',
    'back\\slash and /slash',
    'new\nline\ttab',
    'ünïcode ✓ 😀',
    '"}, "mode": "fail',
    '</script>',
  ])('carries mode %j intact, as valid JSON, without adding form parameters', (mode) => {
    const body = render(mode);
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
      util: { escapeJavaScript: (s: unknown) => escapeJavaScript(String(s ?? '')) },
    });

  it('answers the MessageId and RequestId of SNS JSON Publish response', () => {
    const out = renderResponse(PUBLISH_SUCCESS_TEMPLATE, {
      PublishResponse: { PublishResult: { MessageId: 'm-1' }, ResponseMetadata: { RequestId: 'r-1' } },
    });
    expect(JSON.parse(out)).toEqual({ messageId: 'm-1', requestId: 'r-1' });
  });

  it("answers SNS's error code and message as valid JSON", () => {
    const out = renderResponse(PUBLISH_ERROR_TEMPLATE, {
      Error: { Code: 'AuthorizationError', Message: 'User isn\'t "authorized"', Type: 'Sender' },
      RequestId: 'r-2',
    });
    expect(JSON.parse(out)).toEqual({
      error: { code: 'AuthorizationError', message: 'User isn\'t "authorized"' },
      requestId: 'r-2',
    });
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

  it.each(['fail', "it's \"quoted\"", 'x&TargetArn=evil', 'ü 😀'])('publishes mode %j intact', (mode) => {
    const form = new URLSearchParams(renderLocal(publishRequestTemplate(TOPIC), '', { mode }));
    expect([...form.keys()]).toEqual(['Action', 'TargetArn', 'Message']);
    expect(form.get('TargetArn')).toBe(TOPIC);
    expect(JSON.parse(form.get('Message')!)).toEqual({ mode });
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
