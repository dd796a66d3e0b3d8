import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../local/protocol/errors.js';
import { member } from '../../../local/protocol/json-input.js';

function thrown(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error('expected an AwsError');
}

describe('member', () => {
  it('returns a present member of the right type and undefined for absent or null', () => {
    expect(member({ a: 'x' }, 'a', 'string')).toBe('x');
    expect(member({ a: 5 }, 'a', 'integer')).toBe(5);
    expect(member({ a: 1.5 }, 'a', 'timestamp')).toBe(1.5);
    expect(member({ a: false }, 'a', 'boolean')).toBe(false);
    expect(member({ a: [] }, 'a', 'list')).toEqual([]);
    expect(member({ a: {} }, 'a', 'structure')).toEqual({});
    expect(member({}, 'a', 'string')).toBeUndefined();
    expect(member({ a: null }, 'a', 'integer')).toBeUndefined();
  });

  it('rejects a member of the wrong JSON type with SerializationException 400', () => {
    const error = thrown(() => member({ limit: 'x' }, 'limit', 'integer'));
    expect(error.code).toBe('SerializationException');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('STRING_VALUE can not be converted to Integer');
    expect(thrown(() => member({ a: 1.5 }, 'a', 'integer')).code).toBe('SerializationException');
    expect(thrown(() => member({ a: 1 }, 'a', 'string')).message).toContain('NUMBER_VALUE');
    expect(thrown(() => member({ a: {} }, 'a', 'list')).message).toContain('START_OBJECT');
    expect(thrown(() => member({ a: [] }, 'a', 'structure')).message).toContain('START_ARRAY');
    expect(thrown(() => member({ a: 'true' }, 'a', 'boolean')).code).toBe('SerializationException');
  });
});
