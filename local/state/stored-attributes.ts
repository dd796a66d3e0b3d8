import type { MessageAttributeValue } from '../contracts.js';

/** Message attribute values as JSON (and so the state store) can hold them: binary values as base64 text. */
export type StoredAttributes = Readonly<Record<string, { DataType: string; StringValue?: string; BinaryBase64?: string }>>;

export function storeAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): StoredAttributes {
  const stored: Record<string, { DataType: string; StringValue?: string; BinaryBase64?: string }> = {};
  for (const [name, value] of Object.entries(attributes)) {
    stored[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryValue === undefined ? {} : { BinaryBase64: Buffer.from(value.BinaryValue).toString('base64') }),
    };
  }
  return stored;
}

export function loadAttributes(stored: StoredAttributes): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(stored)) {
    attributes[name] = {
      DataType: value.DataType,
      ...(value.StringValue === undefined ? {} : { StringValue: value.StringValue }),
      ...(value.BinaryBase64 === undefined ? {} : { BinaryValue: new Uint8Array(Buffer.from(value.BinaryBase64, 'base64')) }),
    };
  }
  return attributes;
}
