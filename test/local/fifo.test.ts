import { describe, expect, it } from 'vitest';
import { Fifo } from '../../local/fifo.js';

describe('Fifo', () => {
  it('gives items back in order, an unshifted one first, across compactions', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 5000; i++) fifo.push(i);
    const taken: number[] = [];
    for (let i = 0; i < 3000; i++) taken.push(fifo.shift()!);
    fifo.unshift(-1);
    expect(fifo.size).toBe(2001);
    expect(fifo.shift()).toBe(-1);
    while (fifo.size > 0) taken.push(fifo.shift()!);
    expect(taken).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
    fifo.unshift(7);
    expect([fifo.size, fifo.shift(), fifo.size]).toEqual([1, 7, 0]);
  });

  it('iterates what waits, in order, without taking it, and clears', () => {
    const fifo = new Fifo<string>();
    for (const item of ['a', 'b', 'c']) fifo.push(item);
    fifo.shift();
    fifo.unshift('z');
    expect([...fifo]).toEqual(['z', 'b', 'c']);
    expect(fifo.size).toBe(3);
    fifo.clear();
    expect([fifo.size, [...fifo]]).toEqual([0, []]);
  });
});
