import { describe, expect, it } from 'vitest';
import { renderMappingTemplate, util } from '../../../local/apigateway/vtl.js';
import { escapeJavaScript, javaString, urlDecode, urlEncode } from '../../../local/apigateway/java-values.js';
import { evaluateJsonPath, JsonPathError } from '../../../local/apigateway/jsonpath.js';

function render(template: string, body = '', params: Partial<{ path: Record<string, string>; querystring: Record<string, string>; header: Record<string, string> }> = {}, context: Record<string, unknown> = {}) {
  return renderMappingTemplate(
    template,
    { body, params: { path: params.path ?? {}, querystring: params.querystring ?? {}, header: params.header ?? {} } },
    { context: { requestOverride: { header: {}, querystring: {}, path: {} }, responseOverride: { header: {} }, ...context }, stageVariables: { env: 'test' } },
  );
}

describe('$util', () => {
  it('urlEncode follows java.net.URLEncoder: space is +, only .-*_ stay', () => {
    expect(urlEncode('a b&c=d/é~!')).toBe('a+b%26c%3Dd%2F%C3%A9%7E%21');
    expect(urlEncode('A-z_0.9*')).toBe('A-z_0.9*');
    expect(urlEncode(undefined)).toBe('');
    expect(urlEncode('a\ud800b\ude00')).toBe('a%3Fb%3F');
  });

  it('urlEncode gives what escaping each UTF-8 byte gives, on tricky inputs', () => {
    // The byte-by-byte URLEncoder the fast path replaced: the reference, over Java's UTF-8 bytes (a lone surrogate is '?').
    const byteByByte = (s: string): string => {
      let out = '';
      for (const byte of Buffer.from(s.replace(/\p{Cs}/gu, '?'), 'utf8')) {
        const c = String.fromCharCode(byte);
        if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
        else if (c === ' ') out += '+';
        else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
      return out;
    };
    const ascii = Array.from({ length: 128 }, (_, i) => String.fromCharCode(i)).join('');
    const inputs = [
      ascii,
      "!'()~*-._ +%20%",
      'é ü ß ñ Ω 中文 日本語 \u00a0\u2028\u2029\ufeff\uffff',
      '😀 👍🏽 👨‍👩‍👧 \u{10ffff} \u{1f600}x',
      '\ud800',
      'a\udc00b',
      '\ud83d\ud83d\ude00',
      '\ude00\ud83d',
      'x\ud800 \udfff y ~',
      '',
      'arn:aws:sns:us-east-1:000000000000:Topic-1&Message={"mode":"fail"}',
    ];
    for (const input of inputs) expect(urlEncode(input)).toBe(byteByByte(input));
    expect(urlEncode(42)).toBe('42');
  });

  it('urlDecode turns + into a space and rejects a malformed escape', () => {
    expect(urlDecode('a+b%26c%C3%A9')).toBe('a b&cé');
    expect(() => urlDecode('%zz')).toThrow(/Illegal hex/);
  });

  it('escapeJavaScript escapes quotes, slash, backslash, control and non-ASCII characters', () => {
    expect(escapeJavaScript(`it's "x"\\/\n\t`)).toBe(`it\\'s \\"x\\"\\\\\\/\\n\\t`);
    expect(escapeJavaScript('é\u0001')).toBe('\\u00E9\\u0001');
  });

  it('base64 and parseJson', () => {
    expect(util.base64Encode('hello')).toBe('aGVsbG8=');
    expect(util.base64Decode('aGVsbG8=')).toBe('hello');
    expect(render('#set($o = $util.parseJson(\'{"a":{"b":[1,2]}}\'))$o.a.b[1] $o.a')).toBe('2 {b=[1,2]}');
  });
});

describe('$input', () => {
  it('params() gives path, querystring and header maps; params(x) looks in that order', () => {
    const t = "$input.params().path.get('id')|$input.params().querystring.get('q')|$input.params('id')|$input.params('q')|$input.params('X-Custom')|$input.params('none')|";
    expect(render(t, '', { path: { id: 'p1' }, querystring: { q: 'v', id: 'q1' }, header: { 'x-custom': 'h' } })).toBe('p1|v|p1|v|h||');
  });

  it('path() prints maps Java-style and lists as JSON; json() prints JSON; a missing path prints nothing', () => {
    const body = JSON.stringify({ a: { b: 'c' }, l: [1, { x: 'y' }], s: 'str', n: 1.5 });
    expect(render("$input.path('$.a')|$input.path('$.l')|$input.path('$.s')|$input.path('$.n')|$input.path('$.missing')|", body)).toBe(
      '{b=c}|[1,{"x":"y"}]|str|1.5||',
    );
    expect(render("$input.json('$.a')|$input.json('$.s')|$input.json('$')", '{"a":{"b":"c"},"s":"str"}')).toBe('{"b":"c"}|"str"|{"a":{"b":"c"},"s":"str"}');
  });

  it('body is the raw payload, and {} for an empty one', () => {
    expect(render('$input.body', 'raw text')).toBe('raw text');
    expect(render('$input.body', '')).toBe('{}');
  });

  it('path() values can be iterated and sized', () => {
    const body = JSON.stringify({ items: [{ id: 'a' }, { id: 'b' }] });
    const t = "#foreach($i in $input.path('$.items'))$i.id#if($foreach.hasNext),#end#end $input.path('$.items').size()";
    expect(render(t, body)).toBe('a,b 2');
  });

  it('#foreach stops silently after the 1000-iteration quota, and the next loop still runs', () => {
    const body = JSON.stringify({ items: Array.from({ length: 1500 }, (_, i) => i) });
    const t = "#foreach($i in $input.path('$.items'))x#end|#foreach($i in [1..3])$i#end";
    expect(render(t, body)).toBe(`${'x'.repeat(1000)}|123`);
  });

  it('#break in a loop over a map ends that loop only', () => {
    const t = "#set($m = {'a': 1, 'b': 2})#foreach($v in $m)$v#break#end|#foreach($i in [1..3])$i#end";
    expect(render(t)).toBe('1|123');
  });

  // Velocity's #break stops its whole scope at once (a StopCommand), not only the loop's next items.
  it('#break inside an #if stops the rest of that iteration and the loop', () => {
    expect(render('#foreach($i in [1, 2, 3])$i#if($i == 2)#break#end-#end|after')).toBe('1-2|after');
    expect(render('#foreach($i in [1, 2])#foreach($j in [1, 2])$i$j#if($j == 1)#break#end.#end;#end')).toBe('11;21;');
  });

  it('#break outside a loop ends the template; inside a macro or a #define block it ends that only', () => {
    expect(render('a#break b')).toBe('a');
    expect(render('#macro(m)x#break y#end[#m()]z')).toBe('[x]z');
    expect(render('#define($d)p#break q#end[$d]r')).toBe('[p]r');
  });
});

describe('Java methods on template values', () => {
  it('strings: length, replaceAll, replace, contains, split, matches, isEmpty, toUpperCase', () => {
    const t =
      "#set($s = 'a-b-c')$s.length() $s.replaceAll('-', '+') $s.replace('-', '') $s.contains('b') $s.split('-').size() $s.matches('[a-c-]+') $s.isEmpty() $s.toUpperCase()";
    expect(render(t)).toBe('5 a+b+c abc true 3 true false A-B-C');
  });

  it('maps: keySet, containsKey, size, isEmpty, put returns the previous value', () => {
    const t = "#set($m = {'a': 1, 'b': 2})#foreach($k in $m.keySet())$k=$m.get($k);#end $m.containsKey('a') $m.size() $m.isEmpty() <$m.put('c', 3)><$m.put('c', 4)> $m";
    expect(render(t)).toBe('a=1;b=2; true 2 false <><3> {a=1, b=2, c=4}');
  });

  it('== compares by printed value, and a null reference equals both $null and ""', () => {
    expect(render('#if($nothing == "")empty#end #if($nothing == $null)null#end #if(1 == "1")same#end #if("a" != "b")diff#end')).toBe(
      'empty null same diff',
    );
  });

  it('$context and $stageVariables are readable and requestOverride is writable', () => {
    const context: Record<string, unknown> = { requestId: 'rid', identity: { sourceIp: '1.2.3.4' } };
    const rendered = render('$context.requestId $context.identity.sourceIp $stageVariables.env#set($context.requestOverride.header.X = "y")', '', {}, context);
    expect(rendered).toBe('rid 1.2.3.4 test');
  });

  it("CDK's multi-origin CORS template sets the Allow-Origin override from a lower-case origin header", () => {
    const cdkCors = [
      '#set($origin = $input.params().header.get("Origin"))',
      '#if($origin == "")',
      '  #set($origin = $input.params().header.get("origin"))',
      '#end',
      '#if($origin == "https://b.example")',
      '  #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)',
      '#end',
    ].join('\n');
    const context: Record<string, unknown> = { responseOverride: { header: {} } };
    render(cdkCors, '', { header: { origin: 'https://b.example' } }, context);
    expect(context.responseOverride).toEqual({ header: { 'Access-Control-Allow-Origin': 'https://b.example' } });
  });

  it('renders the same template alike again and again (parsed once, patterns and reference texts shared)', () => {
    const t = "$s.replaceAll('-', '+')|$s.replaceFirst('(b)', '[$1]')|$s.matches('a.*')|$missing.foo('x')|$!quiet|${braced.x}|#foreach($i in [1..2])$i.replaceAll('1', 'one')#end";
    for (let i = 0; i < 3; i++) {
      expect(renderMappingTemplate(t, { body: '', params: { path: {}, querystring: {}, header: {} } }, { context: { s: 'a-b-c' }, stageVariables: {} })).toBe(
        '||||||',
      );
      expect(render("#set($s = 'a-b-c')$s.replaceAll('-', '+')|$s.replaceFirst('(b)', '[$1]')|$s.matches('a.*')|$s.split('-')")).toBe('a+b+c|a-[b]-c|true|["a","b","c"]');
    }
  });

  it('$input.path gives a copy of an object, so changing it leaves the body as it was', () => {
    const body = JSON.stringify({ a: { b: 'c' } });
    expect(render("#set($x = $input.path('$.a'))#set($x.b = 'changed')$x.b|$input.path('$.a.b')|$input.json('$.a')", body)).toBe('changed|c|{"b":"c"}');
  });

  it('a template that does not parse is a MappingTemplateError', () => {
    expect(() => render('#if($x')).toThrow(/Mapping template failed/);
  });
});

describe('javaString and JSONPath', () => {
  it('prints nested values as Java does', () => {
    expect(javaString({ a: { b: [1, 'x'] }, n: null })).toBe('{a={b=[1,"x"]}, n=null}');
    expect(javaString(null)).toBe('');
  });

  it('evaluates dots, brackets, indexes, wildcards and deep scans', () => {
    const doc = { a: { 'b c': [10, 20] }, list: [{ id: 1 }, { id: 2 }] };
    expect(evaluateJsonPath(doc, "$.a['b c'][1]")).toBe(20);
    expect(evaluateJsonPath(doc, '$.list[-1].id')).toBe(2);
    expect(evaluateJsonPath(doc, '$.list[*].id')).toEqual([1, 2]);
    expect(evaluateJsonPath(doc, '$..id')).toEqual([1, 2]);
    expect(evaluateJsonPath(doc, '$.nope.deeper')).toBeUndefined();
    expect(evaluateJsonPath(doc, '$.list[2].id')).toBeUndefined();
    expect(evaluateJsonPath(doc, '$.list[-3]')).toBeUndefined();
    expect(evaluateJsonPath(doc, '$.a[0]')).toBeUndefined();
    expect(evaluateJsonPath(doc, '$.list.id')).toBeUndefined();
    expect(evaluateJsonPath(doc, '$.list[0]')).toEqual({ id: 1 });
    expect(evaluateJsonPath(doc, '$')).toBe(doc);
    expect(() => evaluateJsonPath(doc, 'a.b')).toThrow(JsonPathError);
  });
});

describe('a template rendered again', () => {
  it('starts from a clean state whatever the previous render left: #stop, #break, #define, #macro, #foreach locals', () => {
    const stop = "#if($input.params('x') == 'stop')before#stop()#end after";
    expect(render(stop, '', { querystring: { x: 'stop' } })).toBe('before');
    expect(render(stop)).toBe(' after');

    const loop = "#foreach($i in [1, 2, 3])#if($i == $input.params('b'))#break#end$i#end|#foreach($j in [4, 5])$j#end";
    expect(render(loop, '', { querystring: { b: '2' } })).toBe('1|45');
    expect(render(loop)).toBe('123|45');

    const define = "#if($input.params('d') == 'y')#define($blk)X#end#end[$!blk]";
    expect(render(define, '', { querystring: { d: 'y' } })).toBe('[X]');
    expect(render(define)).toBe('[]');

    const macro = "#if($input.params('m') == 'y')#macro(hi)H#end#end[#hi()]";
    expect(render(macro, '', { querystring: { m: 'y' } })).toBe('[H]');
    expect(render(macro)).toBe('[]');

    const local = "#foreach($v in ['a'])#set($inner = $v)#end[$!v][$!inner]";
    expect(render(local)).toBe('[][a]');
    expect(render(local)).toBe('[][a]');
  });
});

describe('calls of the template API', () => {
  it('evaluate their arguments, leave eval on the object as velocityjs does, and name the call that threw', () => {
    const body = '{"a":{"b":[1,2]}}';
    expect(render("$input.path('$.a').b.size() $input.json('$.a') $util.urlEncode('a b', 'extra') $input.params().querystring.q", body, { querystring: { q: 'v' } })).toBe(
      '2 {"b":[1,2]} a+b v',
    );
    expect(render("$util.urlEncode('x')$util.eval('#set($z = 1)$z')|$input.path('$.a.b').size()|$input.eval('q')", body)).toBe('x1|2|q');
    expect(render("#set($m = $util)$m.base64Encode('hi')$m.isEmpty()")).toBe('aGk=false');
    expect(() => render("x $util.parseJson('{bad') y")).toThrow(/on \$util\.parseJson\('\{bad'\) at L\/N 1:2$/);
  });
});
