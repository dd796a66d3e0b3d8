import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createClock } from '../../local/clock.js';
import { TimerQueue } from '../../local/timer-queue.js';

describe('clock sleeps', () => {
  it('many sleeps on one signal share one abort listener, and an abort rejects them all at once', async () => {
    const clock = createClock(1);
    const stop = new AbortController();
    const sleeps = Array.from({ length: 500 }, () => clock.sleep(60_000, stop.signal));
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort(new Error('stopped'));
    const results = await Promise.allSettled(sleeps);
    expect(results.every((r) => r.status === 'rejected' && (r.reason as Error).message === 'stopped')).toBe(true);
    await expect(clock.sleep(1, stop.signal)).rejects.toThrow('stopped');
  });

  it('later sleeps on the same signal add no listener', async () => {
    const clock = createClock(0.001);
    const stop = new AbortController();
    await Promise.all(Array.from({ length: 50 }, () => clock.sleep(1_000, stop.signal)));
    const more = Array.from({ length: 50 }, () => clock.sleep(1_000, stop.signal));
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    await Promise.all(more);
  });
});

describe('TimerQueue', () => {
  it('fires items in due order from one timer', async () => {
    const fired: number[] = [];
    const queue = new TimerQueue<number>((n) => fired.push(n));
    const now = Date.now();
    for (const [due, n] of [[30, 3], [10, 1], [20, 2], [10, 4]] as const) queue.schedule(now + due, n);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toEqual([1, 4, 2, 3]);
    expect(queue.size).toBe(0);
  });

  it('fires nothing after close', async () => {
    const fired: number[] = [];
    const queue = new TimerQueue<number>((n) => fired.push(n));
    queue.schedule(Date.now() + 5, 1);
    queue.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(fired).toEqual([]);
  });
});
