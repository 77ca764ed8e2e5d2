import { z, type ZodType } from 'zod';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as it appears in the document. */
export type JsonSchema = Record<string, unknown>;

/**
 * The JSON Schema of what a zod schema accepts (its input side: `z.coerce` query fields, defaults optional),
 * so the document describes the very validator the route runs.
 */
export function zodSchema(schema: ZodType): JsonSchema {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  return json;
}

/** An object schema whose fields are only described, for shapes too large to spell out here. */
export function describedObject(description: string, properties: Record<string, JsonSchema> = {}): JsonSchema {
  return { type: 'object', description, properties, additionalProperties: true };
}

export const listOf = (items: JsonSchema, paged = false): JsonSchema => ({
  type: 'object',
  required: ['object', 'data'],
  properties: {
    object: { const: 'list' },
    data: { type: 'array', items },
    ...(paged ? { next_cursor: { description: 'Pass as `cursor` for the next page; null on the last page.' } } : {}),
  },
});
