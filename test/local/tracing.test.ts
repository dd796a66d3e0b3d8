import { describe, expect, it } from 'vitest';
import { JsonTraceText, TRACE_PAYLOAD_LIMIT, TerminalPrinter, TraceLog, formatTrace, isErrorHop, traceJsonLater, traceParsedPayload, tracePayload, traceText } from '../../local/tracing.js';

describe('TraceLog', () => {
  it('keeps hops in order, lists those after a time, and caps its size', () => {
    const log = new TraceLog(3);
    for (let i = 0; i < 5; i++) log.record({ service: 'sns', kind: 'publish', resource: 't', summary: `m${i}` });
    const all = log.list();
    expect(all.map((e) => e.summary)).toEqual(['m2', 'm3', 'm4']);
    expect(log.list(all[2]!.time).every((e) => e.time > all[2]!.time)).toBe(true);
  });

  it('keeps the newest hops in order as the ring wraps many times', () => {
    const log = new TraceLog(4);
    for (let i = 0; i < 23; i++) log.record({ service: 'sns', kind: 'publish', resource: 't', summary: `m${i}` });
    expect(log.list().map((e) => e.summary)).toEqual(['m19', 'm20', 'm21', 'm22']);
    expect(log.list(0, 2).map((e) => e.summary)).toEqual(['m21', 'm22']);
  });

  it('lists nothing when empty and refuses a capacity that is not a positive integer', () => {
    expect(new TraceLog(2).list()).toEqual([]);
    expect(() => new TraceLog(0)).toThrow(/positive integer/);
  });

  it('tells subscribers, and a throwing subscriber does not stop the others', () => {
    const log = new TraceLog();
    const seen: string[] = [];
    log.subscribe(() => {
      throw new Error('broken listener');
    });
    const unsubscribe = log.subscribe((e) => seen.push(e.summary));
    log.record({ service: 'lambda', kind: 'invoke', resource: 'f', summary: 'one' });
    unsubscribe();
    log.record({ service: 'lambda', kind: 'invoke', resource: 'f', summary: 'two' });
    expect(seen).toEqual(['one']);
  });
});

describe('formatTrace', () => {
  const base = { time: Date.UTC(2026, 0, 1, 12, 0, 1, 234), service: 'lambda', kind: 'retry' };

  it('names the resource when the summary does not', () => {
    const line = formatTrace({ ...base, resource: 'arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST', summary: 'retry 1 of 2' }, false);
    expect(line).toBe('12:00:01.234 lambda      fn: retry 1 of 2');
  });

  it('does not repeat a resource the summary already names', () => {
    const line = formatTrace({ ...base, resource: 'fn', summary: 'invoked fn (attempt 1)' }, false);
    expect(line).toBe('12:00:01.234 lambda      invoked fn (attempt 1)');
  });

  it('colours the service only when asked', () => {
    expect(formatTrace({ ...base, resource: 'fn', summary: 's' }, true)).toContain('\x1b[36mlambda');
    expect(formatTrace({ ...base, resource: 'fn', summary: 's' }, false)).not.toContain('\x1b[');
  });
});

describe('isErrorHop', () => {
  const hop = { time: 0, service: 'lambda', resource: 'f' };
  it('reads the outcome first, then the kind, then a failed Lambda attempt', () => {
    expect(isErrorHop({ ...hop, kind: 'invoke', summary: 'async attempt 1: failed (Error: x)' })).toBe(true);
    expect(isErrorHop({ ...hop, kind: 'invoke', summary: 'async attempt 1: succeeded in 3 ms' })).toBe(false);
    expect(isErrorHop({ ...hop, kind: 'drop', summary: 'dropped' })).toBe(true);
    expect(isErrorHop({ ...hop, kind: 'drop', summary: 'dropped', outcome: 'ok' })).toBe(false);
    expect(isErrorHop({ ...hop, kind: 'put', summary: 'p', outcome: 'denied' })).toBe(true);
  });
});

describe('TerminalPrinter', () => {
  const hop = (summary: string, kind = 'invoke') => ({ time: Date.UTC(2026, 0, 1), service: 'lambda', kind, resource: 'f', summary });

  it('prints every hop and function line at a calm pace', () => {
    const lines: string[] = [];
    const printer = new TerminalPrinter({ print: (l) => lines.push(l), maxLinesPerSecond: 3 });
    printer.hop(hop('one'));
    printer.output('[f] hello');
    printer.tick();
    printer.hop(hop('two'));
    printer.tick();
    expect(lines).toEqual(['00:00:00.000 lambda      f: one', '[f] hello', '00:00:00.000 lambda      f: two']);
  });

  it('switches to one summary per second under load, and back when it calms down', () => {
    const lines: string[] = [];
    const printer = new TerminalPrinter({ print: (l) => lines.push(l), maxLinesPerSecond: 3, environments: () => 4 });
    for (let i = 0; i < 10; i++) printer.hop(hop(`h${i}`));
    printer.hop(hop('async attempt 1: failed (Error: boom)'));
    printer.output('[f] a line nobody reads at this rate');
    printer.tick();
    // The first three hops print before the load is known; then only the summary.
    expect(lines).toEqual([
      '00:00:00.000 lambda      f: h0',
      '00:00:00.000 lambda      f: h1',
      '00:00:00.000 lambda      f: h2',
      '11 events/s, 1 error, 4 environments',
    ]);
    // Still loaded: the next second is summarized from its first hop.
    for (let i = 0; i < 5; i++) printer.hop(hop(`k${i}`));
    printer.tick();
    expect(lines.slice(4)).toEqual(['5 events/s, 0 errors, 4 environments']);
    // A calm second is still summarized (the mode was chosen at its start), and the one after prints lines again.
    printer.hop(hop('calm'));
    printer.tick();
    printer.hop(hop('back'));
    printer.tick();
    expect(lines.slice(5)).toEqual(['1 events/s, 0 errors, 4 environments', '00:00:00.000 lambda      f: back']);
  });
});

describe('tracePayload', () => {
  it('keeps JSON objects parsed, other text as it is, and cuts what is too long', () => {
    expect(tracePayload('{"a":[1]}')).toEqual({ a: [1] });
    expect(tracePayload(' [1, 2]')).toEqual([1, 2]);
    expect(tracePayload('START RequestId: x')).toBe('START RequestId: x');
    expect(tracePayload('{not json')).toBe('{not json');
    const cut = tracePayload('x'.repeat(TRACE_PAYLOAD_LIMIT + 5)) as string;
    expect(cut.endsWith(`… (${TRACE_PAYLOAD_LIMIT + 5} characters in all)`)).toBe(true);
  });

  it('reads text with leading whitespace as trimStart would', () => {
    expect(tracePayload('\r\n\t {"a":1}')).toEqual({ a: 1 });
    expect(tracePayload('\u00a0{"a":1}')).toBe('\u00a0{"a":1}');
    expect(tracePayload('   ')).toBe('   ');
    expect(tracePayload('')).toBe('');
  });
});

describe('traceParsedPayload', () => {
  it('gives what tracePayload gives for valid JSON, reusing the parsed value', () => {
    const long = JSON.stringify({ x: 'y'.repeat(TRACE_PAYLOAD_LIMIT) });
    for (const text of ['{"a":[1]}', ' [1, 2]', '"a string"', '42', 'null', '\n{"b":true}', long]) {
      const value: unknown = JSON.parse(text);
      expect(traceParsedPayload(text, value)).toEqual(tracePayload(text));
    }
    const value = { a: 1 };
    expect(traceParsedPayload('{"a":1}', value)).toBe(value);
  });
});

describe('traceText', () => {
  it('gives what tracePayload gives for a log, without reading it', () => {
    const log = 'START RequestId: r Version: $LATEST\n{"level":"INFO"}\nEND RequestId: r\n';
    for (const text of [log, '', log.repeat(1 + Math.ceil(TRACE_PAYLOAD_LIMIT / log.length))]) {
      expect(traceText(text)).toBe(tracePayload(text));
    }
  });
});

describe('traceJsonLater', () => {
  it('is written out as JSON exactly as tracePayload would have been, parsing nothing before', () => {
    const texts = [
      '{"a":[1]}',
      ' [1, 2]',
      '\r\n\t {"a":1}',
      '\u00a0{"a":1}',
      '{not json',
      '[1,',
      'START RequestId: x',
      '"a string"',
      '42',
      '',
      '   ',
      '{"u":"é \\u00e9 \\ud83d\\ude00 \\u2028","n":[1e21,1.0,-0,1e400,0.1],"nested":[[[{"k":"\\"\\\\\\n"}]]],"2":1,"1":2}',
      'x'.repeat(TRACE_PAYLOAD_LIMIT + 5),
      JSON.stringify({ x: 'y'.repeat(TRACE_PAYLOAD_LIMIT) }),
    ];
    for (const text of texts) {
      const hop = { service: 'sns', kind: 'publish', detail: { message: traceJsonLater(text), other: 1 } };
      const eager = { service: 'sns', kind: 'publish', detail: { message: tracePayload(text), other: 1 } };
      expect(JSON.stringify(hop)).toBe(JSON.stringify(eager));
      expect(JSON.stringify(hop, null, 2)).toBe(JSON.stringify(eager, null, 2));
    }
  });

  it('keeps the text unparsed until then', () => {
    const kept = traceJsonLater('{"a":1}');
    expect(kept).toBeInstanceOf(JsonTraceText);
    expect((kept as JsonTraceText).text).toBe('{"a":1}');
    expect(traceJsonLater('plain')).toBe('plain');
  });

  it('is written out the same through /_local/traces', () => {
    const log = new TraceLog();
    log.record({ service: 'apigateway', kind: 'response', resource: 'api/prod', summary: 's', detail: { statusCode: 200, body: traceJsonLater('{"messageId":"m"}') } });
    expect(JSON.parse(JSON.stringify(log.list()))[0].detail).toEqual({ statusCode: 200, body: { messageId: 'm' } });
  });
});
