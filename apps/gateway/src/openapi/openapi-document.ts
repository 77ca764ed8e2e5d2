import { ERROR_SHAPES } from '../http/gateway-exception.filter';
import type { MountedRoute } from '../http/route-inventory';
import { V1_ROUTES } from '../v1/v1-routes';
import type { JsonSchema } from './json-schema';
import { ROUTE_DOCS, RouteAuth, RouteDoc } from './route-docs';
import { anthropicError, openAiError } from './wire-schemas';

/** The reader's page and files, served beside the document, are not part of the API. */
const READER_PREFIXES = ['/console', '/docs'];

/** The routes the document describes: every mounted one but Fastify's HEAD twins and the web pages' files. */
export function apiRoutes(mounted: readonly MountedRoute[]): MountedRoute[] {
  const seen = new Set<string>();
  return mounted.filter(({ method, url }) => {
    const key = `${method} ${url}`;
    if (method === 'HEAD' || seen.has(key)) return false;
    if (READER_PREFIXES.some((prefix) => url === prefix || url.startsWith(`${prefix}/`))) return false;
    seen.add(key);
    return true;
  });
}

/** `/admin/:scope/:id/budget` → `/admin/{scope}/{id}/budget`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, '{$1}');
}

const PATH_PARAMETERS: Record<string, JsonSchema> = {
  id: { type: 'string', description: "The object's id (a UUID; a model's name under /v1/models)." },
  scope: { enum: ['teams', 'projects', 'keys'], description: 'What the id names.' },
  request_id: { type: 'string', description: 'The `x-request-id` of the request.' },
};

const SECURITY: Record<RouteAuth, Array<Record<string, string[]>>> = {
  gateway: [{ gatewayBearer: [] }, { gatewayXApiKey: [] }, { gatewayApiKey: [] }],
  admin: [{ adminBearer: [] }],
  public: [],
};

/** The Messages API's routes answer errors in Anthropic's shape, as the exception filter does. */
function errorResponse(url: string): string {
  const route = V1_ROUTES.find((candidate) => candidate.url === url);
  return route && ERROR_SHAPES[route.name]
    ? '#/components/responses/AnthropicError'
    : '#/components/responses/OpenAIError';
}

/** Every `/v1` model route runs a request at most once per gateway key and Idempotency-Key (docs/idempotency.md). */
const IDEMPOTENCY_KEY_PARAMETER: JsonSchema = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Repeats with the same key and body within 24 h get the first answer again (`idempotent-replayed: true`), ' +
    'with one model call and one charge; another body under the key gets 422 `idempotency_key_reused`.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
};

function operation(url: string, doc: RouteDoc): JsonSchema {
  const parameters: JsonSchema[] = [...url.matchAll(/:([A-Za-z_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: PATH_PARAMETERS[name] ?? { type: 'string' },
  }));
  if (V1_ROUTES.some((route) => route.url === url)) parameters.push(IDEMPOTENCY_KEY_PARAMETER);
  const query = (doc.query?.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((doc.query?.required as string[] | undefined) ?? []);
  for (const [name, schema] of Object.entries(query)) {
    parameters.push({ name, in: 'query', required: required.has(name), schema });
  }
  const { status, description, schema, contentType } = doc.response;
  const content: Record<string, { schema: JsonSchema }> = {};
  if (schema) content['application/json'] = { schema };
  if (contentType) content[contentType] = { schema: { type: 'string' } };
  if (doc.streams) content['text/event-stream'] = { schema: { type: 'string', description: 'Server-sent events.' } };
  return {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: SECURITY[doc.auth],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: true, content: { 'application/json': { schema: doc.body } } } } : {}),
    responses: {
      [status]: { description, ...(Object.keys(content).length ? { content } : {}) },
      ...(doc.auth === 'public' ? {} : { '4XX': { $ref: errorResponse(url) }, '5XX': { $ref: errorResponse(url) } }),
    },
  };
}

/**
 * The OpenAPI 3.1 document of the routes this gateway has mounted, described by ROUTE_DOCS. A mounted route
 * without an entry is left out (and the coverage test names it); an entry whose route is not mounted too.
 */
export function openApiDocument(mounted: readonly MountedRoute[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const { method, url } of apiRoutes(mounted)) {
    const doc = ROUTE_DOCS[`${method} ${url}`];
    if (!doc) continue;
    (paths[openApiPath(url)] ??= {})[method.toLowerCase()] = operation(url, doc);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard',
      // The API's version (its path prefix), not the gateway's release.
      version: 'v1',
      description:
        'One OpenAI-compatible base URL in front of every LLM provider (`/v1`), and the admin API (`/admin`). ' +
        'Model routes take a gateway key; admin routes take the admin key or an admin token.',
    },
    tags: [
      { name: 'Model API', description: 'OpenAI- and Anthropic-compatible model routes (gateway key).' },
      { name: 'Admin', description: 'Teams, projects, keys, budgets, limits, evidence, audit (admin key or token).' },
      { name: 'Operations', description: 'Health, metrics and this document (public).' },
    ],
    paths,
    components: {
      securitySchemes: {
        gatewayBearer: { type: 'http', scheme: 'bearer', description: 'A gateway key: `Authorization: Bearer sy-…`.' },
        gatewayXApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'A gateway key, as Anthropic SDKs send it.',
        },
        gatewayApiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'api-key',
          description: 'A gateway key, as Azure OpenAI SDKs send it.',
        },
        adminBearer: {
          type: 'http',
          scheme: 'bearer',
          description: '`SWITCHYARD_ADMIN_KEY` or an admin token (`sy-admin-…`); what it may do depends on its role.',
        },
      },
      schemas: { OpenAIError: openAiError, AnthropicError: anthropicError },
      responses: {
        OpenAIError: {
          description: "An error in OpenAI's shape; `code` names it (see the README's error table).",
          content: { 'application/json': { schema: { $ref: '#/components/schemas/OpenAIError' } } },
        },
        AnthropicError: {
          description: "An error in Anthropic's shape (the Messages API).",
          content: { 'application/json': { schema: { $ref: '#/components/schemas/AnthropicError' } } },
        },
      },
    },
  };
}
