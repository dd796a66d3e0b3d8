import type { MessageAttributeValue } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';

/** Characters SQS accepts in a body or string attribute (XML 1.0's set). */
const INVALID_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;

/** A message body, or the AwsError SQS gives for it. */
export function validateBody(body: unknown, maximumMessageSize: number): string {
  if (typeof body !== 'string' || body === '') {
    throw new AwsError('MissingParameter', 'The request must contain the parameter MessageBody.');
  }
  const bad = INVALID_CHARACTER.exec(body);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase();
    throw new AwsError(
      'InvalidMessageContents',
      `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  if (Buffer.byteLength(body, 'utf8') > maximumMessageSize) {
    throw new AwsError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${maximumMessageSize} bytes.`,
    );
  }
  return body;
}

/** An optional integer parameter within [min, max]; undefined when absent. */
export function validateRange(name: string, value: unknown, min: number, max: number, reason: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    throw new AwsError('InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Reason: ${reason}`);
  }
  return number;
}

/** Message attributes as SQS validates them (at most 10, typed, non-empty). */
export function validateAttributes(
  attributes: Readonly<Record<string, MessageAttributeValue>> | undefined,
): Readonly<Record<string, MessageAttributeValue>> {
  if (attributes === undefined || attributes === null) return {};
  if (typeof attributes !== 'object') throw new AwsError('InvalidParameterValue', 'MessageAttributes must be a map.');
  const entries = Object.entries(attributes);
  if (entries.length > 10) {
    throw new AwsError('InvalidParameterValue', `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`);
  }
  const result: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name) || name.includes('..') || name.startsWith('.') || name.endsWith('.') || /^(aws\.|amazon\.)/i.test(name)) {
      throw new AwsError('InvalidParameterValue', `Message (user) attribute '${name}' must contain a non-empty message attribute name and only the characters A-Z, a-z, 0-9, underscore, hyphen and period.`);
    }
    const dataType = value?.DataType;
    if (typeof dataType !== 'string' || dataType === '') {
      throw new AwsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    const base = dataType.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw new AwsError(
        'InvalidParameterValue',
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (base === 'Binary') {
      if (!value.BinaryValue || value.BinaryValue.length === 0) {
        throw new AwsError('InvalidParameterValue', `The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      result[name] = { DataType: dataType, BinaryValue: value.BinaryValue };
      continue;
    }
    if (typeof value.StringValue !== 'string' || value.StringValue === '') {
      throw new AwsError('InvalidParameterValue', `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`);
    }
    if (base === 'Number' && !Number.isFinite(Number(value.StringValue))) {
      throw new AwsError('InvalidParameterValue', `Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
    if (INVALID_CHARACTER.test(value.StringValue)) {
      throw new AwsError('InvalidParameterValue', `Message (user) attribute '${name}' value contains invalid characters.`);
    }
    result[name] = { DataType: dataType, StringValue: value.StringValue };
  }
  return result;
}
