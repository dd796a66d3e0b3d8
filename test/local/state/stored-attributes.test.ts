import { describe, expect, it } from 'vitest';
import { loadAttributes, storeAttributes } from '../../../local/state/stored-attributes.js';

describe('stored message attributes', () => {
  it('keep binary values as base64 text that JSON holds, and read them back as bytes', () => {
    const attributes = {
      s: { DataType: 'String', StringValue: 'hello' },
      b: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 255, 7]) },
    };
    const stored = storeAttributes(attributes);
    expect(stored).toEqual({ s: { DataType: 'String', StringValue: 'hello' }, b: { DataType: 'Binary', BinaryBase64: 'AP8H' } });
    expect(loadAttributes(JSON.parse(JSON.stringify(stored)))).toEqual(attributes);
  });
});
