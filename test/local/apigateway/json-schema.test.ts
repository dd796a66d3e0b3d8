import { describe, expect, it } from 'vitest';
import { externalRefs, validateJsonSchema } from '../../../local/apigateway/json-schema.js';

describe('JSON Schema draft 4 validation', () => {
  const schema = {
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
    expect(validateJsonSchema(schema, { n: 9.5, tags: ['x', 'y'], kind: 'a', choice: 3 })).toEqual([]);
  });

  it('reports each violation with its path', () => {
    const errors = validateJsonSchema(schema, { n: 10, tags: ['x', 'x', 'Y'], kind: 'c', choice: true });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\.n: above maximum/),
        expect.stringMatching(/^\$\.tags: items are not unique/),
        expect.stringMatching(/^\$\.tags\[2\]: does not match/),
        expect.stringMatching(/^\$\.kind: not one of/),
        expect.stringMatching(/^\$\.choice: does not match exactly one/),
      ]),
    );
  });

  it('integer is a number but not the other way round', () => {
    expect(validateJsonSchema({ type: 'number' }, 3)).toEqual([]);
    expect(validateJsonSchema({ type: 'integer' }, 3.5)).toHaveLength(1);
  });

  it('finds references to other models', () => {
    expect(externalRefs({ properties: { a: { $ref: '#/definitions/x' }, b: { $ref: 'https://apigateway.amazonaws.com/restapis/1/models/B' } } })).toEqual([
      'https://apigateway.amazonaws.com/restapis/1/models/B',
    ]);
  });
});
