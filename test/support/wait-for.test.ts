import { describe, expect, it } from 'vitest';
import { waitFor, waitForValue } from './wait-for.js';

describe('waitFor', () => {
  it('resolves once the condition holds', async () => {
    let polls = 0;
    await waitFor(() => ++polls >= 3, 'the third poll', 1_000, { intervalMs: 1 });
    expect(polls).toBe(3);
  });

  it('fails past its deadline, saying what never happened', async () => {
    await expect(waitFor(() => false, 'the message reaching the queue', 20, { intervalMs: 1 })).rejects.toThrow(
      'the message reaching the queue never happened within 20 ms',
    );
  });
});

describe('waitForValue', () => {
  it('returns the first value the probe gives', async () => {
    let polls = 0;
    await expect(waitForValue(() => (++polls >= 2 ? `poll ${polls}` : undefined), 'a value', 1_000, { intervalMs: 1 })).resolves.toBe('poll 2');
  });

  it('adds the context to the failure', async () => {
    await expect(waitForValue(() => undefined, 'the logger line', 20, { intervalMs: 1, context: () => 'runtime output: nothing' })).rejects.toThrow(
      'the logger line never happened within 20 ms\nruntime output: nothing',
    );
  });
});
