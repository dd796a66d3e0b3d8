import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves once the condition holds', async () => {
    let polls = 0;
    await waitFor(() => ++polls >= 3, 'the third poll', 1_000, 1);
    expect(polls).toBe(3);
  });

  it('fails past its deadline, saying what never happened', async () => {
    await expect(waitFor(() => false, 'the message reaching the queue', 20, 1)).rejects.toThrow(
      'the message reaching the queue never happened within 20 ms',
    );
  });
});
