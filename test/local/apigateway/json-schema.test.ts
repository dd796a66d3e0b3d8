import { describe, expect, it } from 'vitest';
import { compileModel, ModelSchemaError } from '../../../local/apigateway/json-schema.js';

const validate = (schema: Record<string, unknown>, body: unknown) => compileModel('M', schema).validate(body);

describe('JSON Schema draft 4 validation of request bodies', () => {
  const schema = {
    $schema: 'http://json-schema.org/draft-04/schema#',
    definitions: { tag: { type: 'string', pattern: '^[a-z]+$' } },
    type: 'object',
    properties: {
      n: { type: 'number', minimum: 0, exclusiveMaximum: true, maximum: 10 },
      tags: { type: 'array', items: { $ref: '#/definitions/tag' }, uniqueItems: true, maxItems: 3 },
      kind: { enum: ['a', 'b'] },
      choice: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
    },
  };

  it('accepts a valid document', () => {
    expect(validate(schema, { n: 9.5, tags: ['x', 'y'], kind: 'a', choice: 3 })).toEqual([]);
  });

  it('reports every violation with where it is in the body', () => {
    const errors = validate(schema, { n: 10, tags: ['x', 'x', 'Y'], kind: 'c', choice: true });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/n must be < 10/),
        expect.stringMatching(/^\/tags must NOT have duplicate items/),
        expect.stringMatching(/^\/tags\/2 must match pattern/),
        expect.stringMatching(/^\/kind must be equal to one of the allowed values \["a","b"\]/),
        expect.stringMatching(/^\/choice must match exactly one schema in oneOf/),
      ]),
    );
  });

  it('integer is a number but not the other way round', () => {
    expect(validate({ type: 'number' }, 3)).toEqual([]);
    expect(validate({ type: 'integer' }, 3.5)).toHaveLength(1);
  });

  it('draft 4 exclusiveMaximum is a boolean beside maximum', () => {
    expect(validate({ maximum: 10, exclusiveMaximum: true }, 10)).toHaveLength(1);
    expect(validate({ maximum: 10, exclusiveMaximum: false }, 10)).toEqual([]);
  });

  it('a required property is not found on Object.prototype', () => {
    expect(validate({ type: 'object', required: ['constructor'] }, {})).toEqual(["/ must have required property 'constructor'"]);
    expect(validate({ type: 'object', required: ['toString', 'hasOwnProperty'] }, {})).toHaveLength(2);
    expect(validate({ type: 'object', required: ['constructor'] }, { constructor: 1 })).toEqual([]);
    expect(validate({ dependencies: { a: ['constructor'] } }, { a: 1 })).toHaveLength(1);
  });

  it('enum objects are equal whatever their key order', () => {
    const enumSchema = { enum: [{ a: 1, b: { c: 2, d: 3 } }] };
    expect(validate(enumSchema, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
    expect(validate(enumSchema, { b: { d: 3, c: 4 }, a: 1 })).toHaveLength(1);
    expect(validate({ type: 'array', uniqueItems: true }, [{ a: 1, b: 2 }, { b: 2, a: 1 }])).toHaveLength(1);
  });

  it('names an unexpected property', () => {
    expect(validate({ properties: { a: {} }, additionalProperties: false }, { a: 1, zz: 2 })).toEqual(['/ must NOT have additional properties (zz)']);
  });

  it('keywords draft 4 does not define and formats do not constrain', () => {
    expect(validate({ type: 'string', format: 'email', example: 'a@b.c' }, 'not an address')).toEqual([]);
  });

  it('refuses, at compile time, a schema that refers to another model, has a bad pattern or is not draft 4', () => {
    const refusal = (s: Record<string, unknown>) => {
      try {
        compileModel('M', s);
      } catch (error) {
        expect(error).toBeInstanceOf(ModelSchemaError);
        return (error as Error).message;
      }
      throw new Error('compiled a schema that should have been refused');
    };
    expect(refusal({ properties: { b: { $ref: 'https://apigateway.amazonaws.com/restapis/1/models/B' } } })).toBe(
      'model M refers to other models (https://apigateway.amazonaws.com/restapis/1/models/B), which is not supported locally',
    );
    expect(refusal({ type: 'string', pattern: '([a-z]' })).toMatch(/^model M has a pattern that is not a regular expression/);
    expect(refusal({ type: 'text' })).toMatch(/^model M is not a JSON Schema draft 4 schema/);
    expect(refusal({ $schema: 'http://json-schema.org/draft-07/schema#' })).toMatch(/^model M is not a JSON Schema draft 4 schema/);
  });

  it('two models may share an id', () => {
    expect(() => {
      compileModel('A', { id: 'http://example.com/x', type: 'string' });
      compileModel('B', { id: 'http://example.com/x', type: 'number' });
    }).not.toThrow();
  });
});
