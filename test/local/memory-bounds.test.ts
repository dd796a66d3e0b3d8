/**
 * Memory stays bounded under sustained load: what the runtime keeps per
 * event is capped, measured by what it retains (not RSS, which depends on
 * the garbage collector's timing).
 */
import { describe, expect, it } from 'vitest';
import { LogStore } from '../../local/logs/store.js';
import { TraceLog } from '../../local/tracing.js';

const EVENTS = 20_000;

describe('after 20,000 events', () => {
  it('a log group keeps at most 32 MiB of events, the newest ones', () => {
    const store = new LogStore();
    // 2 KB lines, like the access log of a long query string: 40 MB in all.
    const line = 'x'.repeat(2_048);
    for (let i = 0; i < EVENTS; i++) store.putLogEvents('/aws/lambda/fn', `s${i % 8}`, [{ timestamp: i, message: `${i} ${line}` }]);
    const [group] = store.describeLogGroups();
    expect(group!.storedBytes).toBeLessThanOrEqual(32 * 1024 * 1024);
    const kept = store.groupEvents('/aws/lambda/fn');
    expect(kept.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0)).toBe(group!.storedBytes);
    expect(kept.at(-1)!.timestamp).toBe(EVENTS - 1);
  });

  it('the trace buffer keeps at most its capacity of hops', () => {
    const traces = new TraceLog();
    for (let i = 0; i < EVENTS; i++) traces.record({ service: 'lambda', kind: 'invoke', resource: 'fn', summary: `hop ${i}` } as never);
    const kept = traces.list(0, Number.MAX_SAFE_INTEGER);
    expect(kept.length).toBeLessThanOrEqual(5_000);
    expect(kept.at(-1)!.summary).toBe(`hop ${EVENTS - 1}`);
  });
});
