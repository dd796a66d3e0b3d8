import { describe, expect, it } from 'vitest';
import { compare, formatComparison, interleavedOrder, median, percentile, ratio, spread } from '../../bench/harness.js';

describe('median', () => {
  it('takes the middle of an odd count whatever the input order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
  it('refuses no values', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('percentile and spread', () => {
  it('interpolates between closest ranks', () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110];
    expect(percentile(values, 0)).toBe(10);
    expect(percentile(values, 1)).toBe(110);
    expect(percentile(values, 0.1)).toBe(20);
    expect(percentile(values, 0.9)).toBe(100);
    expect(percentile([0, 10], 0.25)).toBe(2.5);
  });
  it('refuses a quantile outside 0..1', () => {
    expect(() => percentile([1], 1.5)).toThrow(RangeError);
  });
  it('reports median, p10, p90, min and max', () => {
    expect(spread([5, 1, 3, 2, 4])).toEqual({ median: 3, p10: 1.4, p90: 4.6, min: 1, max: 5 });
  });
});

describe('ratio', () => {
  it('is measured over floor', () => {
    expect(ratio(30, 120)).toBe(0.25);
  });
  it('is NaN, not Infinity, for a zero floor', () => {
    expect(ratio(5, 0)).toBeNaN();
  });
});

describe('interleavedOrder', () => {
  it('alternates floor and measured, floor first', () => {
    expect(interleavedOrder(3)).toEqual(['floor', 'measured', 'floor', 'measured', 'floor', 'measured']);
  });
  it('refuses zero rounds', () => {
    expect(() => interleavedOrder(0)).toThrow(RangeError);
  });
});

describe('compare', () => {
  it('runs warm-up then recorded rounds alternately and takes the ratio of the medians', async () => {
    const calls: string[] = [];
    let f = 0;
    let m = 0;
    const result = await compare({
      name: 'demo',
      unit: 'ops/s',
      rounds: 3,
      warmup: 1,
      floor: { label: 'floor', round: () => (calls.push('F'), [999, 100, 110, 90][f++]!) },
      measured: { label: 'path', round: () => (calls.push('M'), [999, 20, 30, 25][m++]!) },
    });
    expect(calls.join('')).toBe('FMFMFMFM');
    expect(result.floor.median).toBe(100);
    expect(result.measured.median).toBe(25);
    expect(result.ratio).toBe(0.25);
    const lines = formatComparison(result);
    expect(lines.at(-1)).toContain('0.250x');
    expect(lines[1]).toContain('(floor)');
  });
  it('fails loudly when a round gives no figure', async () => {
    await expect(
      compare({ name: 'broken', unit: 'ms', rounds: 1, warmup: 0, floor: { label: 'a', round: () => 1 }, measured: { label: 'b', round: () => NaN } }),
    ).rejects.toThrow(/broken: b gave NaN/);
  });
});
