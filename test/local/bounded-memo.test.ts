import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../local/bounded-memo.js';

describe('BoundedMemo', () => {
  it('returns what was set, and undefined for a key never set', () => {
    const memo = new BoundedMemo<string, { n: number }>(4);
    const value = { n: 1 };
    expect(memo.set('a', value)).toBe(value);
    expect(memo.get('a')).toBe(value);
    expect(memo.get('b')).toBeUndefined();
  });

  it('never holds more than its limit, and starts over when a set finds it full', () => {
    const memo = new BoundedMemo<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c'].entries()) memo.set(key, i);
    expect(memo.size).toBe(3);
    expect(memo.get('a')).toBe(0);
    memo.set('d', 3);
    expect(memo.size).toBe(1);
    expect(memo.get('a')).toBeUndefined();
    expect(memo.get('c')).toBeUndefined();
    expect(memo.get('d')).toBe(3);
    for (let i = 0; i < 100; i++) {
      memo.set(`k${i}`, i);
      expect(memo.size).toBeLessThanOrEqual(3);
    }
  });

  it('keeps falsy values: null, false, 0 and the empty string are hits', () => {
    const memo = new BoundedMemo<string, null | boolean | number | string>(10);
    memo.set('null', null);
    memo.set('false', false);
    memo.set('zero', 0);
    memo.set('empty', '');
    expect(memo.get('null')).toBeNull();
    expect(memo.get('false')).toBe(false);
    expect(memo.get('zero')).toBe(0);
    expect(memo.get('empty')).toBe('');
    expect(memo.size).toBe(4);
    // @ts-expect-error undefined reads as a miss, so a memo cannot hold it: null stands for a cached nothing.
    new BoundedMemo<string, string | undefined>(1);
  });

  it('keys objects by identity', () => {
    const memo = new BoundedMemo<object, string>(10);
    const key = { id: 1 };
    memo.set(key, 'first');
    expect(memo.get(key)).toBe('first');
    expect(memo.get({ id: 1 })).toBeUndefined();
  });

  it('replaces the value of a key already present', () => {
    const memo = new BoundedMemo<string, number>(2);
    memo.set('a', 1);
    memo.set('a', 2);
    expect(memo.get('a')).toBe(2);
    expect(memo.size).toBe(1);
  });
});
