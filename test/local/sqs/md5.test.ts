import { describe, expect, it } from 'vitest';
import { md5OfBody, md5OfMessageAttributes } from '../../../local/sqs/md5.js';

// Digests SQS returned for these inputs, as recorded against AWS in
// LocalStack's snapshot tests (tests/aws/services/sqs/test_sqs.snapshot.json).
const str = (StringValue: string) => ({ DataType: 'String', StringValue });

describe('SQS MD5 digests', () => {
  it('hashes the body as UTF-8', () => {
    expect(md5OfBody('msg')).toBe('6e2baaf3b97dbeef01c0043275f9a0e7');
    expect(md5OfBody('test')).toBe('098f6bcd4621d373cade4e832627b4f6');
  });

  it.each([
    [{ General: str('Kenobi'), Hello: str('There'), 'Help.Me': str('Me') }, '4c360f3fdafd970e05fae2f149d997f5'],
    [{ Hello: str('There'), General: str('Kenobi') }, 'fca026605781cb4126a1e9044df24232'],
    [{ Hello: str('There') }, 'a311262e065454b75da111d535b8dacd'],
    [{ 'Help.Me': str('Me'), Hello: str('There') }, '83fee93c1bcd8b9a5a923ffacdc636c7'],
    [{ Foo: str('Bar') }, 'ae7155c6026991b6d54b11589678bf9c'],
  ])('hashes string attributes %j as AWS does', (attributes, expected) => {
    expect(md5OfMessageAttributes(attributes)).toBe(expected);
  });

  it('hashes binary attributes with transport type 2', () => {
    const value = Buffer.from('traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01', 'latin1');
    expect(md5OfMessageAttributes({ attr1: { DataType: 'Binary', BinaryValue: new Uint8Array(value) } })).toBe('8cbe4db156db8a94db8b801b7addb984');
  });

  it('has no digest without attributes', () => {
    expect(md5OfMessageAttributes({})).toBeUndefined();
    expect(md5OfMessageAttributes(undefined)).toBeUndefined();
  });
});
