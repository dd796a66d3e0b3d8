import { AwsError } from './errors.js';

/**
 * Member types of awsJson inputs. AWS deserialises a request against the
 * operation's model before any validation, so a member of the wrong JSON
 * type is a `SerializationException`, never a validation message about a
 * value the service never saw.
 */
export type JsonMemberType = 'string' | 'integer' | 'timestamp' | 'boolean' | 'list' | 'structure';

const TARGET: Readonly<Record<JsonMemberType, string>> = {
  string: 'String',
  integer: 'Integer',
  timestamp: 'a timestamp',
  boolean: 'Boolean',
  list: 'a List',
  structure: 'a Structure',
};

function token(value: unknown): string {
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return Number.isInteger(value) ? 'NUMBER_VALUE' : 'FLOAT_VALUE';
  if (typeof value === 'boolean') return value ? 'TRUE_VALUE' : 'FALSE_VALUE';
  return Array.isArray(value) ? 'START_ARRAY' : 'START_OBJECT';
}

function fits(value: unknown, type: JsonMemberType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'timestamp':
      // awsJson timestamps are epoch seconds, possibly fractional.
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'list':
      return Array.isArray(value);
    case 'structure':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

/** `input[key]` when it has `type`, `undefined` when absent or null; otherwise a SerializationException. */
export function member<T = unknown>(input: Readonly<Record<string, unknown>>, key: string, type: JsonMemberType): T | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!fits(value, type)) {
    throw new AwsError('SerializationException', `${token(value)} can not be converted to ${TARGET[type]} (member ${key})`);
  }
  return value as T;
}
