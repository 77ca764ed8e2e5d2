import { toGeminiSchema } from './gemini-schema.mapper';

describe('toGeminiSchema', () => {
  it('drops the JSON Schema keys Gemini rejects and keeps the ones it knows', () => {
    expect(
      toGeminiSchema({
        $schema: 'http://json-schema.org/draft-07/schema#',
        $id: 'weather',
        title: 'Weather',
        type: 'object',
        additionalProperties: false,
        description: 'Where and when',
        properties: {
          city: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[A-Z]', examples: ['Oslo'], default: 'Oslo' },
          days: { type: 'integer', minimum: 1, maximum: 14, exclusiveMaximum: 15, multipleOf: 1 },
          tags: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
        },
        required: ['city'],
        propertyNames: { pattern: '^[a-z]+$' },
      }),
    ).toEqual({
      type: 'object',
      description: 'Where and when',
      properties: {
        city: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[A-Z]' },
        days: { type: 'integer', minimum: 1, maximum: 14 },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1 },
      },
      required: ['city'],
    });
  });

  it('turns null alternatives into nullable, whether written as a type list, anyOf or an enum', () => {
    expect(toGeminiSchema({ type: ['string', 'null'], description: 'd' })).toEqual({
      type: 'string',
      description: 'd',
      nullable: true,
    });
    expect(toGeminiSchema({ anyOf: [{ type: 'number' }, { type: 'null' }], description: 'n' })).toEqual({
      type: 'number',
      description: 'n',
      nullable: true,
    });
    expect(toGeminiSchema({ type: 'string', enum: ['a', 'b', null] })).toEqual({
      type: 'string',
      enum: ['a', 'b'],
      nullable: true,
    });
  });

  it('keeps real alternatives as anyOf, from oneOf and from type lists', () => {
    expect(toGeminiSchema({ oneOf: [{ type: 'string' }, { type: 'integer', format: 'int64' }] })).toEqual({
      anyOf: [{ type: 'string' }, { type: 'integer', format: 'int64' }],
    });
    expect(toGeminiSchema({ type: ['string', 'number', 'null'] })).toEqual({
      nullable: true,
      anyOf: [{ type: 'string' }, { type: 'number' }],
    });
  });

  it('inlines local $refs and cuts a recursive one to a bare object', () => {
    const schema = {
      type: 'object',
      definitions: {
        node: {
          type: 'object',
          properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/definitions/node' } } },
        },
      },
      properties: { root: { $ref: '#/definitions/node', description: 'The tree' } },
    };
    expect(toGeminiSchema(schema)).toEqual({
      type: 'object',
      properties: {
        root: {
          type: 'object',
          description: 'The tree',
          properties: { name: { type: 'string' }, children: { type: 'array', items: { type: 'object' } } },
        },
      },
    });
  });

  it('merges allOf and keeps only required names that are declared', () => {
    expect(
      toGeminiSchema({
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'boolean' } }, required: ['b', 'a', 'missing'] },
        ],
      }),
    ).toEqual({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'boolean' } }, required: ['a', 'b'] });
  });

  it('turns a string const into a one-value enum and drops enums and formats Gemini cannot take', () => {
    expect(toGeminiSchema({ const: 'fixed' })).toEqual({ type: 'string', enum: ['fixed'] });
    expect(toGeminiSchema({ type: 'integer', enum: [1, 2, 3] })).toEqual({ type: 'integer' });
    expect(toGeminiSchema({ type: 'string', format: 'uri' })).toEqual({ type: 'string' });
    expect(toGeminiSchema({ type: 'string', format: 'date-time' })).toEqual({ type: 'string', format: 'date-time' });
  });
});
