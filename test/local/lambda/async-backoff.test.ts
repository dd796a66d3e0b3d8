import { describe, expect, it } from 'vitest';
import { nextThrottleDelay, THROTTLE_BACKOFF_MS } from '../../../local/lambda/async-queue.js';

// "The retry interval increases exponentially from 1 second after the first attempt to a maximum of 5 minutes."
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
describe('throttle back-off of the async queue', () => {
  it('doubles from one second and stays at five minutes', () => {
    const waits: number[] = [THROTTLE_BACKOFF_MS.initial];
    while (waits.length < 12) waits.push(nextThrottleDelay(waits.at(-1)!));
    expect(waits).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('caps a wait that would pass five minutes at exactly five minutes', () => {
    expect(nextThrottleDelay(150_000)).toBe(300_000);
    expect(nextThrottleDelay(150_001)).toBe(300_000);
    expect(nextThrottleDelay(149_999)).toBe(299_998);
  });
});
