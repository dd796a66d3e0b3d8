import type { MessageAttributeValue } from '../contracts.js';
import { AwsError } from '../protocol/errors.js';

/** SNS caps a publish at 256 KiB: body plus every attribute name, type and value. */
export const MAX_PUBLISH_BYTES = 262_144;

/** A message attribute as a caller may send it: fields can be missing and must be checked. */
export interface MessageAttributeInput {
  readonly DataType?: string;
  readonly StringValue?: string;
  readonly BinaryValue?: Uint8Array;
}

/** The content of a Publish call, before validation. */
export interface MessageInput {
  readonly Message?: string;
  readonly Subject?: string;
  readonly MessageStructure?: string;
  readonly MessageAttributes?: Readonly<Record<string, MessageAttributeInput>>;
}

/** A validated message: the default body, per-protocol bodies and the attributes. */
export interface MessageContent {
  /** The body every protocol gets unless `MessageStructure: json` names one for it. */
  readonly message: string;
  /** Protocol-specific bodies from a `MessageStructure: json` message (`lambda`, `sqs`, ...). */
  readonly perProtocol: Readonly<Record<string, string>>;
  readonly subject?: string;
  /** Attributes in the order the caller gave them. */
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** The body a subscription of `protocol` receives. */
export function bodyFor(content: MessageContent, protocol: string): string {
  return Object.hasOwn(content.perProtocol, protocol) ? content.perProtocol[protocol]! : content.message;
}

/** SNS's `InvalidParameter` (400), used for most Publish checks. */
export const invalidParameter = (message: string): AwsError => new AwsError('InvalidParameter', message, 400);
const invalidValue = (message: string): AwsError => new AwsError('ParameterValueInvalid', message, 400);

/**
 * Check a Publish call's content the way SNS does and in SNS's order
 * (subject, empty message, attributes, size, message structure), throwing
 * the AwsError SNS answers with.
 */
export function validateMessage(
  input: MessageInput,
  /** Where the message sits in the request, for a ValidationError's member path (a PublishBatch entry's `publishBatchRequestEntries.N.member.`). */
  memberPath = '',
): MessageContent {
  if (input.Subject !== undefined && !validSubject(input.Subject)) throw invalidParameter('Invalid parameter: Subject');
  const message = input.Message;
  if (message === undefined || message === '') throw invalidParameter('Invalid parameter: Empty message');
  const attributes = validateAttributes(input.MessageAttributes ?? {}, memberPath);
  if (publishSize(message, attributes) > MAX_PUBLISH_BYTES) throw invalidParameter('Invalid parameter: Message too long');

  if (input.MessageStructure === undefined || input.MessageStructure === '') {
    return { message, perProtocol: {}, ...(input.Subject === undefined ? {} : { subject: input.Subject }), attributes };
  }
  if (input.MessageStructure !== 'json') throw invalidParameter('Invalid parameter: MessageStructure');
  const { fallback, perProtocol } = splitJsonStructure(message);
  return { message: fallback, perProtocol, ...(input.Subject === undefined ? {} : { subject: input.Subject }), attributes };
}

/** ASCII letters, digits and punctuation, no line breaks or control characters, at most 100 long. */
function validSubject(subject: string): boolean {
  return subject.length > 0 && subject.length <= 100 && /^[\x20-\x7e]+$/.test(subject) && /^[^ ]/.test(subject);
}

function splitJsonStructure(message: string): { fallback: string; perProtocol: Record<string, string> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  const record = parsed as Record<string, unknown>;
  // Keys of a transport must hold plain strings; SNS ignores any other value.
  const strings = Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
  const perProtocol = Object.fromEntries(strings.filter(([key]) => key !== 'default'));
  const fallback = strings.find(([key]) => key === 'default')?.[1];
  if (fallback === undefined) throw invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
  return { fallback, perProtocol };
}

const NAME_CHARS = /^[A-Za-z0-9_.-]$/;
/** `String`, `Number`, `Binary`, optionally followed by a custom `.label`. */
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]+)?$/;

function validateAttributes(input: Readonly<Record<string, MessageAttributeInput>>, memberPath: string): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of Object.entries(input)) {
    validateAttributeName(name);
    const dataType = attribute.DataType;
    if (dataType === undefined || dataType === null) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value null at '${memberPath}messageAttributes.${name}.member.dataType' failed to satisfy constraint: Member must not be null`,
        400,
      );
    }
    if (!DATA_TYPE.test(dataType)) {
      throw invalidValue(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    const binary = dataType.startsWith('Binary');
    const hasValue = attribute.StringValue !== undefined || attribute.BinaryValue !== undefined;
    if (!hasValue) {
      throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
    }
    if (binary ? attribute.BinaryValue === undefined : attribute.StringValue === undefined) {
      throw invalidValue(`The message attribute '${name}' with type '${dataType}' must use field '${binary ? 'Binary' : 'String'}'.`);
    }
    if (binary) {
      if (attribute.BinaryValue!.length === 0) {
        throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
      }
      out[name] = { DataType: dataType, BinaryValue: attribute.BinaryValue! };
      continue;
    }
    const value = attribute.StringValue!;
    if (value === '') {
      throw invalidValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${dataType}'.`);
    }
    if (dataType.startsWith('Number')) validateNumber(name, value);
    if (dataType === 'String.Array') validateStringArray(name, value);
    out[name] = { DataType: dataType, StringValue: value };
  }
  return out;
}

function validateAttributeName(name: string): void {
  if (Buffer.byteLength(name) > 256) throw invalidValue('Length of message attribute name must be less than 256 bytes.');
  if (name.startsWith('.')) throw invalidValue("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith('.')) throw invalidValue("Invalid message attribute name ending with character '.' was found.");
  for (const char of name) {
    if (!NAME_CHARS.test(char)) {
      const code = char.codePointAt(0)!.toString(16).toUpperCase();
      throw invalidValue(
        `Invalid non-alphanumeric character '#x${code}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`,
      );
    }
  }
  if (name.includes('..')) throw invalidValue("Message attribute name can not have successive '.' character.");
}

/** SNS numbers: up to 38 significant digits, magnitude between 10^-128 and 10^126. */
function validateNumber(name: string, value: string): void {
  const match = /^\s*[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(value);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) {
    throw invalidValue(`Could not cast message attribute '${name}' value to number.`);
  }
  const digits = `${match[1]}${match[2] ?? ''}`.replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '');
  if (significant === '') return; // zero
  if (significant.length > 38) {
    throw invalidValue(`Message attribute '${name}' number value [${value}] must have less than 38 precision digits.`);
  }
  // Decimal exponent of the leading significant digit.
  const intDigits = match[1]!.replace(/^0+/, '');
  const leadingZerosAfterPoint = intDigits === '' ? (match[2] ?? '').length - (match[2] ?? '').replace(/^0+/, '').length : 0;
  const magnitude = (intDigits === '' ? -(leadingZerosAfterPoint + 1) : intDigits.length - 1) + Number(match[3] ?? 0);
  if (magnitude > 126 || magnitude < -128) {
    throw invalidValue(`Message attribute '${name}' number value [${value}] scale must be 10^-128 and 10^126.`);
  }
}

/** A String.Array holds a JSON array of strings, numbers, true, false or null. */
function validateStringArray(name: string, value: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const ok = Array.isArray(parsed) && parsed.every((item) => item === null || ['string', 'number', 'boolean'].includes(typeof item));
  if (!ok) {
    throw invalidValue(`The message attribute '${name}' with type 'String.Array' has an invalid value.`);
  }
}

/** The bytes a publish counts against the limit: the body and every attribute's name, type and value. */
function publishSize(message: string, attributes: Readonly<Record<string, MessageAttributeInput>>): number {
  let size = Buffer.byteLength(message);
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType ?? '');
    size += attribute.BinaryValue ? attribute.BinaryValue.length : Buffer.byteLength(attribute.StringValue ?? '');
  }
  return size;
}

/** An entry of a PublishBatch call: a message and the Id the answer names it by. */
export interface BatchEntryInput extends MessageInput {
  readonly Id?: string;
}

/**
 * PublishBatch takes up to 10 entries whose Ids are distinct, up to 80 letters, digits, hyphens
 * and underscores (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatchRequestEntry.html).
 */
export const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]+$/;
const MAX_BATCH_ENTRY_ID_LENGTH = 80;

/**
 * The checks of a PublishBatch request's entries that fail the whole request: a missing Id
 * (input validation, before the operation), no entries, too many, Ids repeated or malformed,
 * then the size of all messages together, which may not pass what one Publish may carry
 * (https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html: "the maximum total payload
 * size (the sum of the individual lengths of all of the batched messages)" is 256 KiB, as for one
 * message; 256 KiB is also the default of a topic's MaximumMessageSize, which the runtime does
 * not take). AWS documents the error codes, not their order or texts: these follow LocalStack's
 * tests recorded against AWS.
 */
export function validateBatch(entries: readonly BatchEntryInput[]): void {
  entries.forEach((entry, i) => {
    if (entry.Id === undefined) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value null at '${batchMemberPath(i)}id' failed to satisfy constraint: Member must not be null`,
        400,
      );
    }
  });
  if (entries.length === 0) throw new AwsError('EmptyBatchRequest', "The batch request doesn't contain any entries.", 400);
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new AwsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.', 400);
  }
  const ids = entries.map((entry) => entry.Id!);
  if (new Set(ids).size !== ids.length) throw new AwsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.', 400);
  for (const id of ids) {
    if (id.length > MAX_BATCH_ENTRY_ID_LENGTH) throw new AwsError('InvalidBatchEntryId', `The Id of a batch entry in the batch request is too long: ${id}`, 400);
    if (!BATCH_ENTRY_ID.test(id)) {
      throw new AwsError('InvalidBatchEntryId', `The Id of a batch entry in the batch request contains an impermissible character: ${id}`, 400);
    }
  }
  let total = 0;
  for (const entry of entries) total += publishSize(entry.Message ?? '', entry.MessageAttributes ?? {});
  if (total > MAX_PUBLISH_BYTES) throw new AwsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.', 400);
}

/** The member path of the `index`th (from 0) entry of a PublishBatch request, as a ValidationError names it. */
export const batchMemberPath = (index: number): string => `publishBatchRequestEntries.${index + 1}.member.`;
