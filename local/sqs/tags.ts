import { AwsError } from '../protocol/errors.js';

/**
 * Queue tags as SQS checks them. The limits are those of the developer
 * guide: at most 50 tags a queue, keys of 1 to 128 and values of up to 256
 * Unicode characters, of letters, digits, white space and `_ . : / = + - @`,
 * and no key or value under the reserved prefix `aws:`.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_TagQueue.html
 * The messages for a missing map and for too many tags are those moto's
 * tests hold AWS to; the others follow them.
 */
export const MAX_TAGS = 50;
const ALLOWED = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

/** A tag map as TagQueue's `Tags` or CreateQueue's `tags`; undefined when absent or empty. */
export function requestedTags(raw: unknown): Map<string, string> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new AwsError('InvalidParameterValue', 'Tags must be a map of tag keys to values.');
  const tags = new Map<string, string>();
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    checkKey(key);
    if (typeof value !== 'string') throw new AwsError('InvalidParameterValue', `The value of tag ${key} must be a string.`);
    if ([...value].length > 256) throw new AwsError('InvalidParameterValue', 'Tag values must be between 0 and 256 characters in length.');
    if (!ALLOWED.test(value)) {
      throw new AwsError('InvalidParameterValue', 'Tag values may only contain unicode letters, digits, whitespace, or one of these symbols: _ . : / = + - @');
    }
    if (value.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidParameterValue', 'Tag values cannot start with the reserved prefix aws:.');
    tags.set(key, value);
  }
  return tags.size === 0 ? undefined : tags;
}

/** UntagQueue's `TagKeys`: a non-empty list of keys. */
export function requestedTagKeys(raw: unknown): string[] {
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw new AwsError('InvalidParameterValue', 'TagKeys must be a list of tag keys.');
  const keys = (raw ?? []) as unknown[];
  if (keys.length === 0) throw new AwsError('InvalidParameterValue', 'Tag keys must be between 1 and 128 characters in length.');
  for (const key of keys) checkKey(key);
  return keys as string[];
}

/** The queue's tags with `added` over them, or InvalidParameterValue when they come to more than 50. */
export function mergedTags(queueName: string, current: ReadonlyMap<string, string>, added: ReadonlyMap<string, string>): Map<string, string> {
  const merged = new Map([...current, ...added]);
  if (merged.size > MAX_TAGS) throw new AwsError('InvalidParameterValue', `Too many tags added for queue ${queueName}.`);
  return merged;
}

function checkKey(key: unknown): void {
  const length = typeof key === 'string' ? [...key].length : 0;
  if (length < 1 || length > 128) throw new AwsError('InvalidParameterValue', 'Tag keys must be between 1 and 128 characters in length.');
  const text = key as string;
  if (!ALLOWED.test(text)) {
    throw new AwsError('InvalidParameterValue', 'Tag keys may only contain unicode letters, digits, whitespace, or one of these symbols: _ . : / = + - @');
  }
  if (text.toLowerCase().startsWith('aws:')) throw new AwsError('InvalidParameterValue', 'Tag keys cannot start with the reserved prefix aws:.');
}
