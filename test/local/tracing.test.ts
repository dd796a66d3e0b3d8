import { describe, expect, it } from 'vitest';
import { TraceLog, formatTrace } from '../../local/tracing.js';

describe('TraceLog', () => {
  it('keeps hops in order, lists those after a time, and caps its size', () => {
    const log = new TraceLog(3);
    for (let i = 0; i < 5; i++) log.record({ service: 'sns', kind: 'publish', resource: 't', summary: `m${i}` });
    const all = log.list();
    expect(all.map((e) => e.summary)).toEqual(['m2', 'm3', 'm4']);
    expect(log.list(all[2]!.time).every((e) => e.time > all[2]!.time)).toBe(true);
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
