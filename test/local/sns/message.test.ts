import { describe, expect, it } from 'vitest';
import { AwsError } from '../../../local/protocol/errors.js';
import { bodyFor, MAX_PUBLISH_BYTES, validateMessage, type MessageInput } from '../../../local/sns/message.js';
import { thrownBy } from './stack-fixture.js';

const errorOf = (input: MessageInput) => thrownBy(AwsError, () => validateMessage(input));

describe('validateMessage', () => {
  it('rejects a missing or empty message with InvalidParameter', () => {
    for (const input of [{}, { Message: '' }]) {
      const error = errorOf(input);
      expect(error.code).toBe('InvalidParameter');
      expect(error.statusCode).toBe(400);
      expect(error.message).toBe('Invalid parameter: Empty message');
    }
  });

  it('rejects a message over 256 KiB, counting attributes', () => {
    expect(validateMessage({ Message: 'x'.repeat(MAX_PUBLISH_BYTES) }).message).toHaveLength(MAX_PUBLISH_BYTES);
    expect(errorOf({ Message: 'x'.repeat(MAX_PUBLISH_BYTES + 1) }).message).toBe('Invalid parameter: Message too long');
    const withAttribute = { Message: 'x'.repeat(MAX_PUBLISH_BYTES - 10), MessageAttributes: { name: { DataType: 'String', StringValue: 'value' } } };
    expect(errorOf(withAttribute).message).toBe('Invalid parameter: Message too long');
  });

  it('counts bytes, not characters', () => {
    expect(errorOf({ Message: 'é'.repeat(MAX_PUBLISH_BYTES / 2 + 1) }).message).toBe('Invalid parameter: Message too long');
  });

  it('checks the subject: non-empty, printable ASCII, no line breaks, at most 100 characters', () => {
    expect(validateMessage({ Message: 'm', Subject: 'S'.repeat(100) }).subject).toBe('S'.repeat(100));
    for (const Subject of ['', 'S'.repeat(101), 'line\nbreak', 'tab\there']) {
      const error = errorOf({ Message: 'm', Subject });
      expect(error.code).toBe('InvalidParameter');
      expect(error.message).toBe('Invalid parameter: Subject');
    }
  });

  it('splits a MessageStructure json message into the default and per-protocol bodies', () => {
    const content = validateMessage({
      Message: JSON.stringify({ default: 'for everyone', lambda: 'for lambda', sqs: 'for sqs', email: 42 }),
      MessageStructure: 'json',
    });
    expect(bodyFor(content, 'lambda')).toBe('for lambda');
    expect(bodyFor(content, 'sqs')).toBe('for sqs');
    expect(bodyFor(content, 'http')).toBe('for everyone');
    // Non-string values are ignored, so the protocol falls back to the default.
    expect(bodyFor(content, 'email')).toBe('for everyone');
  });

  it('gives SNS errors for a bad MessageStructure json message', () => {
    expect(errorOf({ Message: 'not json', MessageStructure: 'json' }).message).toBe(
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
    expect(errorOf({ Message: '{"lambda":"x"}', MessageStructure: 'json' }).message).toBe(
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
    expect(errorOf({ Message: '{"default":{"nested":true}}', MessageStructure: 'json' }).message).toBe(
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
    expect(errorOf({ Message: '{"default":"x"}', MessageStructure: 'xml' }).message).toBe('Invalid parameter: MessageStructure');
  });
});

describe('message attribute validation', () => {
  const withAttributes = (MessageAttributes: MessageInput['MessageAttributes']) => errorOf({ Message: 'm', MessageAttributes });

  it('accepts the SNS data types, custom suffixes included, and keeps their order', () => {
    const content = validateMessage({
      Message: 'm',
      MessageAttributes: {
        b: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2]) },
        s: { DataType: 'String', StringValue: 'text' },
        n: { DataType: 'Number', StringValue: '-12.5e3' },
        a: { DataType: 'String.Array', StringValue: '["x", 1, true, null]' },
        c: { DataType: 'String.custom', StringValue: 'labelled' },
        nc: { DataType: 'Number.float', StringValue: '3.14' },
      },
    });
    expect(Object.keys(content.attributes)).toEqual(['b', 's', 'n', 'a', 'c', 'nc']);
    expect(content.attributes['n']).toEqual({ DataType: 'Number', StringValue: '-12.5e3' });
  });

  it('rejects an unknown data type with ParameterValueInvalid', () => {
    const error = withAttributes({ flag: { DataType: 'Boolean', StringValue: 'true' } });
    expect(error.code).toBe('ParameterValueInvalid');
    expect(error.message).toBe(
      "The message attribute 'flag' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
    );
  });

  it('rejects a missing data type with ValidationError', () => {
    const error = withAttributes({ flag: { StringValue: 'x' } });
    expect(error.code).toBe('ValidationError');
    expect(error.message).toContain("'messageAttributes.flag.member.dataType'");
  });

  it('rejects empty values and values in the wrong field', () => {
    expect(withAttributes({ s: { DataType: 'String', StringValue: '' } }).message).toBe(
      "The message attribute 's' must contain non-empty message attribute value for message attribute type 'String'.",
    );
    expect(withAttributes({ s: { DataType: 'String' } }).message).toBe(
      "The message attribute 's' must contain non-empty message attribute value for message attribute type 'String'.",
    );
    expect(withAttributes({ s: { DataType: 'String', BinaryValue: new Uint8Array([1]) } }).message).toBe(
      "The message attribute 's' with type 'String' must use field 'String'.",
    );
    expect(withAttributes({ b: { DataType: 'Binary', StringValue: 'x' } }).message).toBe(
      "The message attribute 'b' with type 'Binary' must use field 'Binary'.",
    );
  });

  it('rejects numbers that do not parse or are out of range', () => {
    const error = withAttributes({ price: { DataType: 'Number', StringValue: 'abc' } });
    expect(error.code).toBe('ParameterValueInvalid');
    expect(error.message).toBe("Could not cast message attribute 'price' value to number.");
    expect(withAttributes({ big: { DataType: 'Number', StringValue: '1e127' } }).message).toBe(
      "Message attribute 'big' number value [1e127] scale must be 10^-128 and 10^126.",
    );
    expect(withAttributes({ tiny: { DataType: 'Number', StringValue: '1e-129' } }).message).toContain('scale must be');
    expect(withAttributes({ long: { DataType: 'Number', StringValue: '1'.repeat(39) } }).message).toContain('less than 38 precision digits');
    expect(validateMessage({ Message: 'm', MessageAttributes: { ok: { DataType: 'Number', StringValue: '1e126' } } }).attributes['ok']).toBeDefined();
  });

  it('rejects a String.Array that is not a flat JSON array', () => {
    for (const StringValue of ['not json', '{"a":1}', '[["nested"]]', '[{"a":1}]']) {
      const error = withAttributes({ list: { DataType: 'String.Array', StringValue } });
      expect(error.code).toBe('ParameterValueInvalid');
      expect(error.message).toBe("The message attribute 'list' with type 'String.Array' has an invalid value.");
    }
  });

  it('checks attribute names as SNS does', () => {
    expect(withAttributes({ '.start': { DataType: 'String', StringValue: 'x' } }).message).toBe(
      "Invalid message attribute name starting with character '.' was found.",
    );
    expect(withAttributes({ 'end.': { DataType: 'String', StringValue: 'x' } }).message).toBe(
      "Invalid message attribute name ending with character '.' was found.",
    );
    expect(withAttributes({ 'a..b': { DataType: 'String', StringValue: 'x' } }).message).toBe(
      "Message attribute name can not have successive '.' character.",
    );
    expect(withAttributes({ 'a b': { DataType: 'String', StringValue: 'x' } }).message).toBe(
      "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.",
    );
    expect(withAttributes({ ['n'.repeat(257)]: { DataType: 'String', StringValue: 'x' } }).message).toBe(
      'Length of message attribute name must be less than 256 bytes.',
    );
  });
});
