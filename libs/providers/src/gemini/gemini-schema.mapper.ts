import type { GeminiSchema } from './gemini.types';

/** JSON Schema keys that mean the same in Gemini's Schema and pass through unchanged. */
const PASSED_KEYS = [
  'description',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'minimum',
  'maximum',
  'minProperties',
  'maxProperties',
  'propertyOrdering',
] as const;

/** Gemini rejects every other `format` (e.g. "uri", "email") with a 400. */
const ALLOWED_FORMATS: Record<string, readonly string[]> = {
  string: ['enum', 'date-time'],
  integer: ['int32', 'int64'],
  number: ['float', 'double'],
};

type Definitions = Record<string, unknown>;

/**
 * Rewrites a JSON Schema into the OpenAPI subset Gemini accepts for function parameters and response
 * schemas. Gemini answers 400 to any key it does not know (`additionalProperties`, `$schema`, `const`,
 * `$ref`, …) and to type arrays, so: local `$ref`s are inlined (a recursive one is cut to a bare object),
 * `allOf` is merged, `oneOf` becomes `anyOf`, `null` alternatives become `nullable: true`, `const` becomes a
 * one-value `enum`, non-string enums and unsupported formats are dropped, `required` keeps only declared
 * properties, and every other key is left out. What is lost only loosens the schema, never tightens it.
 */
export function toGeminiSchema(schema: Record<string, unknown>): GeminiSchema {
  const definitions: Definitions = { ...asRecord(schema.definitions), ...asRecord(schema.$defs) };
  return clean(schema, definitions, []);
}

function clean(node: unknown, definitions: Definitions, resolving: readonly string[]): GeminiSchema {
  const schema = asRecord(node);
  if (typeof schema.$ref === 'string') return inlineReference(schema, schema.$ref, definitions, resolving);
  if (Array.isArray(schema.allOf)) return clean(mergeAll(schema), definitions, resolving);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) return cleanAlternatives(schema, alternatives, definitions, resolving);
  if (Array.isArray(schema.type)) return cleanTypeList(schema, schema.type, definitions, resolving);

  const out: GeminiSchema = {};
  const type = typeof schema.type === 'string' ? schema.type.toLowerCase() : undefined;
  if (type === 'null') return { ...out, nullable: true };
  if (type) out.type = type;
  if (typeof schema.format === 'string' && type && ALLOWED_FORMATS[type]?.includes(schema.format))
    out.format = schema.format;
  for (const key of PASSED_KEYS) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.nullable === true) out.nullable = true;

  const values = Array.isArray(schema.enum)
    ? schema.enum
    : typeof schema.const === 'string'
      ? [schema.const]
      : undefined;
  if (values) {
    if (values.includes(null)) out.nullable = true;
    const strings = values.filter((value) => value !== null);
    if (strings.length > 0 && strings.every((value) => typeof value === 'string')) {
      out.enum = strings;
      out.type ??= 'string';
    }
  }

  if (schema.items !== undefined && !Array.isArray(schema.items))
    out.items = clean(schema.items, definitions, resolving);
  const properties = asRecord(schema.properties);
  const names = Object.keys(properties);
  if (names.length > 0) {
    out.properties = Object.fromEntries(names.map((name) => [name, clean(properties[name], definitions, resolving)]));
    if (Array.isArray(schema.required)) {
      const required = new Set(schema.required.filter((name) => typeof name === 'string' && names.includes(name)));
      if (required.size > 0) out.required = [...required];
    }
  }
  return out;
}

function inlineReference(
  schema: Record<string, unknown>,
  ref: string,
  definitions: Definitions,
  resolving: readonly string[],
): GeminiSchema {
  const match = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref);
  const name = match ? decodeURIComponent(match[1]) : undefined;
  const { $ref: _ref, ...siblings } = schema;
  if (!name || !(name in definitions) || resolving.includes(name)) {
    // Unknown or recursive: Gemini schemas cannot refer to themselves, so the nesting ends here.
    return { type: 'object', ...(typeof schema.description === 'string' ? { description: schema.description } : {}) };
  }
  return clean({ ...asRecord(definitions[name]), ...siblings }, definitions, [...resolving, name]);
}

/** `allOf: [A, B]` → one schema with the properties and requirements of all, in order; the outer keys win. */
function mergeAll(schema: Record<string, unknown>): Record<string, unknown> {
  const { allOf, ...rest } = schema;
  let merged: Record<string, unknown> = rest;
  for (const part of allOf as unknown[]) {
    const branch = asRecord(part);
    merged = {
      ...branch,
      ...merged,
      properties: { ...asRecord(merged.properties), ...asRecord(branch.properties) },
      required: [...asArray(merged.required), ...asArray(branch.required)],
    };
  }
  return merged;
}

function cleanAlternatives(
  schema: Record<string, unknown>,
  alternatives: unknown[],
  definitions: Definitions,
  resolving: readonly string[],
): GeminiSchema {
  const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
  const nullable = alternatives.some((branch) => asRecord(branch).type === 'null');
  const branches = alternatives.filter((branch) => asRecord(branch).type !== 'null');
  const outer = clean(rest, definitions, resolving);
  if (nullable) outer.nullable = true;
  if (branches.length === 1) return { ...clean(branches[0], definitions, resolving), ...outer };
  if (branches.length > 1) outer.anyOf = branches.map((branch) => clean(branch, definitions, resolving));
  return outer;
}

/** `type: ["string", "null"]` → `type: "string", nullable: true`; several real types → `anyOf`. */
function cleanTypeList(
  schema: Record<string, unknown>,
  types: unknown[],
  definitions: Definitions,
  resolving: readonly string[],
): GeminiSchema {
  const real = types.filter((type): type is string => typeof type === 'string' && type !== 'null');
  const nullable = types.includes('null') ? { nullable: true } : {};
  if (real.length <= 1) return { ...clean({ ...schema, type: real[0] }, definitions, resolving), ...nullable };
  const description = typeof schema.description === 'string' ? { description: schema.description } : {};
  return { ...description, ...nullable, anyOf: real.map((type) => clean({ ...schema, type }, definitions, resolving)) };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
