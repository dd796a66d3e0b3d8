import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../local/min-heap.js';

function drain(heap: MinHeap<number>): number[] {
  const out: number[] = [];
  for (let next = heap.pop(); next !== undefined; next = heap.pop()) out.push(next);
  return out;
}

describe('MinHeap', () => {
  const values = [5, 3, 9, 1, 1, 8, 2, 7, 4, 6, 0];

  it('pops in the order of its comparison', () => {
    const heap = new MinHeap<number>((a, b) => a < b);
    for (const v of values) heap.push(v);
    expect(heap.size).toBe(values.length);
    expect(heap.peek()).toBe(0);
    expect(drain(heap)).toEqual([...values].sort((a, b) => a - b));
    expect(heap.peek()).toBeUndefined();
  });

  it('restores the order after replaceTop and empties on clear', () => {
    const heap = new MinHeap<number>((a, b) => a > b);
    for (const v of values) heap.push(v);
    heap.replaceTop(-1);
    expect(drain(heap)).toEqual([8, 7, 6, 5, 4, 3, 2, 1, 1, 0, -1]);
    heap.push(1);
    heap.clear();
    expect(heap.size).toBe(0);
  });
});
