import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Validates gateway output against a schema of OpenAI's published OpenAPI document (openai/openai-openapi,
 * OpenAPI 3.1 = JSON Schema 2020-12), e.g. `Response` or `ResponseStreamEvent`.
 *
 * The document is looked for at $OPENAI_OPENAPI_SPEC, test/fixtures/openai/openai-openapi.yaml, then
 * ../shared/spec/openai-openapi.yaml beside the repository. Read as the spec's README advises: `oneOf` is
 * checked as `anyOf` (several unions overlap, so "exactly one" fails valid values), `nullable: true` means "or
 * null", `x-*` / `example` / `discriminator` are annotations, and the `unixtime` format is seconds since the epoch.
 */
export interface OpenApiSchemas {
  /** Validation errors of `value` against `components.schemas.<name>`, as "path: message" lines; empty when valid. */
  errors(schemaName: string, value: unknown): string[];
  /** The same errors with their JSON path (JSON pointer, "" for the root) and failing keyword apart. */
  issues(schemaName: string, value: unknown): SchemaIssue[];
  /** The schema names a union (e.g. `ResponseStreamEvent`) is made of. */
  members(unionName: string): string[];
  /** The member of a union whose `type` constant is `type`, if any. */
  memberOf(unionName: string, type: unknown): string | undefined;
  /**
   * Errors against the member of a union (e.g. `ResponseStreamEvent`) whose `type` constant is `value.type`:
   * precise messages instead of one list per member. Unknown `type` is an error too.
   */
  memberErrors(unionName: string, value: { type?: unknown }): string[];
}

export interface SchemaIssue {
  path: string;
  keyword: string;
  message: string;
}

const SPEC_ID = 'https://openai.spec/openapi.json';
/** Past this a `unixtime` is not seconds: 10^10 s is the year 2286, and a millisecond time of today is ~1.8·10^12. */
const LATEST_UNIX_SECONDS = 1e10;
let loaded: OpenApiSchemas | null | undefined;

export function openApiSpecPath(): string | undefined {
  const root = resolve(__dirname, '..', '..');
  const candidates = [
    process.env.OPENAI_OPENAPI_SPEC,
    resolve(root, 'test/fixtures/openai/openai-openapi.yaml'),
    resolve(root, '../shared/spec/openai-openapi.yaml'),
  ];
  return candidates.find((path): path is string => typeof path === 'string' && existsSync(path));
}

/** The validator, or null when the document is not on this machine (callers skip with a printed reason). */
export function openApiSchemas(): OpenApiSchemas | null {
  if (loaded !== undefined) return loaded;
  const path = openApiSpecPath();
  if (!path) return (loaded = null);
  const document = parse(readFileSync(path, 'utf8')) as { components: { schemas: Record<string, unknown> } };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  // Seconds since the epoch, as the spec's descriptions say; a millisecond time (JavaScript's Date.now()) fails.
  ajv.addFormat('unixtime', { type: 'number', validate: (value) => value >= 0 && value < LATEST_UNIX_SECONDS });
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: asJsonSchema(document.components.schemas) } });
  const schemas = document.components.schemas;
  const compiled = new Map<string, ValidateFunction>();
  const issues = (schemaName: string, value: unknown): SchemaIssue[] => {
    let validate = compiled.get(schemaName);
    if (!validate) {
      validate = ajv.getSchema(`${SPEC_ID}#/components/schemas/${schemaName}`);
      if (!validate) throw new Error(`The OpenAPI document has no schema "${schemaName}".`);
      compiled.set(schemaName, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => ({
      path: error.instancePath,
      keyword: error.keyword,
      message: `${error.message} ${JSON.stringify(error.params)}`,
    }));
  };
  const errors = (schemaName: string, value: unknown): string[] =>
    issues(schemaName, value).map((issue) => `${issue.path || '/'}: ${issue.message}`);
  const members = (unionName: string): string[] => {
    const union = schemas[unionName] as { oneOf?: Array<{ $ref?: string }>; anyOf?: Array<{ $ref?: string }> };
    return (union.oneOf ?? union.anyOf ?? []).flatMap((ref) => (ref.$ref ? [ref.$ref.split('/').pop()!] : []));
  };
  const memberOf = (unionName: string, type: unknown): string | undefined =>
    members(unionName).find((name) =>
      ((schemas[name] as { properties?: { type?: { enum?: unknown[] } } }).properties?.type?.enum ?? []).includes(type),
    );
  const memberErrors = (unionName: string, value: { type?: unknown }): string[] => {
    const member = memberOf(unionName, value.type);
    return member ? errors(member, value) : [`/type: ${JSON.stringify(value.type)} is not a member of ${unionName}`];
  };
  return (loaded = { errors, issues, members, memberOf, memberErrors });
}

/** Rewrites the OpenAPI dialect's leftovers into plain JSON Schema (see the interface comment). */
function asJsonSchema<T>(node: T, namesProperties = false): T {
  if (Array.isArray(node)) return node.map((item) => asJsonSchema(item)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    // Under `properties` (and the like) the keys are field names, not keywords.
    if (namesProperties) {
      out[key] = asJsonSchema(value);
      continue;
    }
    if (key === 'discriminator' || key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    out[key === 'oneOf' ? 'anyOf' : key] = asJsonSchema(
      value,
      key === 'properties' || key === 'patternProperties' || key === '$defs',
    );
  }
  if (!namesProperties && out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] } as T;
  }
  return out as T;
}
