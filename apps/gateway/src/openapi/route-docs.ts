import { ALERT_KINDS } from '@app/alerts';
import { callsQuery, changesQuery } from '../admin/audit-events/audit-events-admin.service';
import { keyAccessBody, projectAccessBody } from '../admin/access/access-admin.service';
import { createKeyBody } from '../admin/keys/keys-admin.service';
import { budgetBody, rateLimitsBody } from '../admin/quota/quota-admin.service';
import { alertsQuery } from '../admin/alerts/alerts-admin.service';
import { exportQuery, listQuery } from '../admin/requests/requests-admin.service';
import { createProjectBody, createTeamBody, updateProjectBody } from '../admin/tenancy/tenancy-admin.service';
import { createTokenBody } from '../admin/tokens/tokens-admin.service';
import { usageQuery } from '../admin/usage/usage-admin.service';
import { describedObject, JsonSchema, listOf, zodSchema } from './json-schema';
import {
  apiKeyView,
  chatCompletionRequest,
  chatCompletionResponse,
  countTokensRequest,
  embeddingsRequest,
  embeddingsResponse,
  imageGenerationRequest,
  imagesResponse,
  messagesRequest,
  messagesResponse,
  modelView,
  projectView,
  responsesRequest,
  responsesResponse,
  teamView,
  tokenView,
} from './wire-schemas';

/** Who may call a route: a gateway key, an admin key or token, or anyone. */
export type RouteAuth = 'gateway' | 'admin' | 'public';

export interface RouteDoc {
  summary: string;
  description?: string;
  tag: 'Model API' | 'Admin' | 'Operations';
  auth: RouteAuth;
  /** A JSON request body. */
  body?: JsonSchema;
  /** The query string's fields, as one object schema. */
  query?: JsonSchema;
  /** The success answer: its status, and its JSON schema unless `contentType` says it is not JSON. */
  response: { status: number; description: string; schema?: JsonSchema; contentType?: string };
  /** A `/v1` route that can answer as a server-sent event stream (`stream: true`). */
  streams?: boolean;
}

const adminList = (items: JsonSchema, paged = false) => listOf(items, paged);
const ok = (description: string, schema?: JsonSchema) => ({ status: 200, description, schema });
const created = (description: string, schema: JsonSchema) => ({ status: 201, description, schema });

const budgetView = describedObject('The budget of the scope: `limit_usd`, `period`, and what is spent and held.');
const balanceView = describedObject('What the scope has spent, holds in reservations, and has left this period.');
const rateLimitsView = describedObject("The scope's `rpm` and `tpm` (null: no limit).");
const chainCheck = describedObject('`ok`, and when false the first event that was changed, removed or inserted.');
const auditEvent = describedObject('One hash-chained event.');
const requestRecord = describedObject(
  'One evidence record: status, model asked and served, API, tokens, cost, latency, route attempts, the raw upstream error, the masked key.',
);

const alertView = describedObject(
  'An alert: the webhook body (`id`, `kind`, `created_at`, `subject` {type, id}, `details`) with `delivered_at` (every configured webhook took it), `delivery_failing`, `deliveries` per webhook (hashed URL, attempts, last_error), `acknowledged_at` and `acknowledged_by`.',
  {
    id: { type: 'string', format: 'uuid', description: 'The idempotency id webhook receivers de-duplicate by.' },
    kind: { enum: [...ALERT_KINDS] },
    created_at: { type: 'string', format: 'date-time' },
    subject: describedObject('`{type: team|project|key, id}`: what the alert is about.'),
    details: describedObject('Figures, ids, model names, masked key ids, IPs; never a secret nor prompt text.'),
    delivered_at: { type: ['string', 'null'], format: 'date-time' },
    acknowledged_at: { type: ['string', 'null'], format: 'date-time' },
  },
);

/**
 * What the document says about each route, keyed by `METHOD /fastify/pattern` exactly as the route is
 * mounted. The document lists the mounted routes (RouteInventory), not this table: a route mounted without
 * an entry here is missing from the document, and test/e2e/openapi.spec.ts fails on it.
 */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'POST /v1/chat/completions': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'Chat completion (OpenAI Chat Completions)',
    description: 'Unknown fields pass through to OpenAI-format upstreams.',
    body: chatCompletionRequest,
    response: ok(
      'The completion, or with `stream: true` an SSE stream of chunks ending with `data: [DONE]`.',
      chatCompletionResponse,
    ),
    streams: true,
  },
  'POST /v1/embeddings': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'Embeddings (OpenAI)',
    body: embeddingsRequest,
    response: ok('The embeddings.', embeddingsResponse),
  },
  'POST /v1/images/generations': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'Image generation (OpenAI Images)',
    description:
      'For models of `kind: image`. Reserves `n` × the per-image price of `size` before any upstream call (402 when the budget has no room) and charges the images returned. Retried or moved to a fallback only when the upstream refused the job (429, 503 with retry-after) or the connection failed before it was sent; never after a timeout or 5xx. Not streamed.',
    body: imageGenerationRequest,
    response: ok('The images, as URLs or base64 (`response_format`).', imagesResponse),
  },
  'POST /v1/responses': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'Response (OpenAI Responses, stateless)',
    body: responsesRequest,
    response: ok(
      'The response, or with `stream: true` an SSE stream (`response.created` … `response.completed`).',
      responsesResponse,
    ),
    streams: true,
  },
  'POST /v1/messages': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'Message (Anthropic Messages)',
    description: "Also at `?beta=true`. Errors in Anthropic's shape.",
    body: messagesRequest,
    response: ok(
      'The message, or with `stream: true` an SSE stream (`message_start` … `message_stop`).',
      messagesResponse,
    ),
    streams: true,
  },
  'POST /v1/messages/count_tokens': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'Count input tokens (Anthropic Messages)',
    description:
      "Anthropic's own count when the model has an Anthropic deployment, else a local estimate (`x-switchyard-token-count: upstream|estimate`). Never charged.",
    body: countTokensRequest,
    response: ok('The count.', {
      type: 'object',
      required: ['input_tokens'],
      properties: { input_tokens: { type: 'integer' } },
    }),
  },
  'GET /v1/models': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'List the models the key may use',
    response: ok('Model names and aliases.', listOf(modelView)),
  },
  'GET /v1/models/:id': {
    tag: 'Model API',
    auth: 'gateway',
    summary: 'One model the key may use',
    response: ok('The model.', modelView),
  },

  'GET /admin/whoami': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'The presented admin token',
    response: ok('`{id, name, role, team_ids}`.', describedObject("The token's id, name, role and teams.")),
  },
  'POST /admin/tokens': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Create an admin token',
    body: zodSchema(createTokenBody),
    response: created('The token with `token` (`sy-admin-…`), shown this once.', tokenView),
  },
  'GET /admin/tokens': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'List admin tokens',
    response: ok('The tokens.', adminList(tokenView)),
  },
  'POST /admin/tokens/:id/revoke': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Revoke an admin token',
    response: ok('The revoked token.', tokenView),
  },
  'POST /admin/tokens/:id/rotate': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Rotate an admin token',
    response: created(
      'A new token with the same name, role and teams, shown this once; the old one is revoked.',
      tokenView,
    ),
  },
  'POST /admin/teams': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Create a team (owner)',
    body: zodSchema(createTeamBody),
    response: created('The team.', teamView),
  },
  'GET /admin/teams': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'List teams',
    response: ok('The teams.', adminList(teamView)),
  },
  'POST /admin/projects': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Create a project',
    body: zodSchema(createProjectBody),
    response: created('The project.', projectView),
  },
  'GET /admin/projects': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'List projects',
    query: { type: 'object', properties: { team_id: { type: 'string', format: 'uuid' } } },
    response: ok('The projects.', adminList(projectView)),
  },
  'POST /admin/keys': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Create a gateway key',
    body: zodSchema(createKeyBody),
    response: created('The key with `key`, shown this once.', apiKeyView),
  },
  'GET /admin/keys': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'List gateway keys (masked)',
    query: { type: 'object', properties: { project_id: { type: 'string', format: 'uuid' } } },
    response: ok('The keys.', adminList(apiKeyView)),
  },
  'POST /admin/keys/:id/revoke': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Revoke a gateway key',
    response: ok('The revoked key.', apiKeyView),
  },
  'POST /admin/keys/:id/rotate': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Rotate a gateway key',
    response: created('A new key with the same settings, shown this once; the old one is revoked.', apiKeyView),
  },
  'POST /admin/keys/:id/resume': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Resume a suspended gateway key',
    description: 'Lifts a suspension by anomaly detection (`on_anomaly: suspend`); audited as `key.resume`.',
    response: ok('The key.', apiKeyView),
  },
  'PATCH /admin/projects/:id': {
    tag: 'Admin',
    auth: 'admin',
    summary: "Change a project's settings",
    description: '`on_anomaly`: `suspend` lets anomaly detection suspend its anomalous keys; `none` only alerts.',
    body: zodSchema(updateProjectBody),
    response: ok('The project.', projectView),
  },
  'POST /admin/projects/:id/resume': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Resume a suspended project',
    description: 'Lifts the suspension of all its keys; keys suspended on their own stay suspended.',
    response: ok('The project.', projectView),
  },
  'PUT /admin/keys/:id/access': {
    tag: 'Admin',
    auth: 'admin',
    summary: "Replace a key's allow-lists",
    body: zodSchema(keyAccessBody),
    response: ok('The key.', apiKeyView),
  },
  'PUT /admin/projects/:id/access': {
    tag: 'Admin',
    auth: 'admin',
    summary: "Replace a project's allow-lists",
    body: zodSchema(projectAccessBody),
    response: ok('The project.', projectView),
  },
  'PUT /admin/:scope/:id/budget': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Set the budget of a team, project or key',
    body: zodSchema(budgetBody),
    response: ok('The budget (with a warning when a model the scope may use has no price).', budgetView),
  },
  'DELETE /admin/:scope/:id/budget': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Remove the budget of a team, project or key',
    response: { status: 204, description: 'Removed.' },
  },
  'GET /admin/:scope/:id/balance': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Balance of a team, project or key',
    response: ok('The balance.', balanceView),
  },
  'PUT /admin/:scope/:id/rate-limits': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Set the rate limits of a team, project or key',
    body: zodSchema(rateLimitsBody),
    response: ok('The rate limits.', rateLimitsView),
  },
  'GET /admin/:scope/:id/rate-limits': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Rate limits of a team, project or key',
    response: ok('The rate limits.', rateLimitsView),
  },
  'GET /admin/quota/stats': {
    tag: 'Admin',
    auth: 'admin',
    summary: "This instance's budget and rate-limit counters (owner, auditor)",
    response: ok('The counters.', describedObject('Counters of this instance.')),
  },
  'GET /admin/requests': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Search request evidence records (newest first)',
    query: zodSchema(listQuery),
    response: ok('One page of records.', adminList(requestRecord, true)),
  },
  'GET /admin/requests/export': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Export request evidence records',
    query: zodSchema(exportQuery),
    response: {
      status: 200,
      description: 'The records as a CSV or JSON Lines attachment, streamed.',
      contentType: 'application/octet-stream',
    },
  },
  'GET /admin/requests/:request_id': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'One request evidence record',
    response: ok('The record.', requestRecord),
  },
  'GET /admin/alerts': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'List alerts (newest first): budget thresholds and anomalies',
    description: "A team admin sees the alerts of its teams' teams, projects and keys.",
    query: zodSchema(alertsQuery),
    response: ok('The alerts.', adminList(alertView)),
  },
  'POST /admin/alerts/:id/ack': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Acknowledge an alert (audited)',
    description: 'Acknowledging an acknowledged alert keeps the first acknowledgement.',
    response: ok('The alert with `acknowledged_at` and `acknowledged_by`.', alertView),
  },
  'GET /admin/usage': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Requests, errors, tokens and cost, grouped',
    query: zodSchema(usageQuery),
    response: ok('One row per group, with totals.', describedObject('`data` rows and the period.')),
  },
  'GET /admin/audit-events': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'The admin audit trail (owner, auditor)',
    query: zodSchema(changesQuery),
    response: ok('One page of events.', adminList(auditEvent, true)),
  },
  'GET /admin/audit-events/verify': {
    tag: 'Admin',
    auth: 'admin',
    summary: "Check the audit trail's hash chain",
    response: ok('The check.', chainCheck),
  },
  'GET /admin/access-events': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'The admin access log (owner, auditor)',
    query: zodSchema(callsQuery),
    response: ok('One page of events.', adminList(auditEvent, true)),
  },
  'GET /admin/access-events/verify': {
    tag: 'Admin',
    auth: 'admin',
    summary: "Check the access log's hash chain",
    response: ok('The check.', chainCheck),
  },
  'GET /admin/config': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'The loaded catalog and effective limits, without secrets (owner, auditor)',
    description:
      'The catalog file, generation and load time; providers (base URL without query or credentials, `api_key` only `configured` or `missing`), models with aliases, tier, prices, deployments, fallbacks, timeouts and retries; the request, rate-limit, budget and database-outage settings of this instance.',
    response: ok(
      'The summary.',
      describedObject('`catalog` and `limits`.', {
        catalog: describedObject('source, generation, loaded_at, retry_budget, providers, models'),
        limits: describedObject('requests, rate_limits, budgets, database, evidence, auth'),
      }),
    ),
  },
  'POST /admin/config/reload': {
    tag: 'Admin',
    auth: 'admin',
    summary: 'Re-read the catalog file (owner)',
    description: '400 if the file is rejected; the old catalog keeps serving.',
    response: ok("The new catalog's summary.", describedObject('The reloaded catalog.')),
  },

  'GET /healthz': {
    tag: 'Operations',
    auth: 'public',
    summary: 'Liveness',
    response: ok('The gateway can serve.', describedObject('Status.')),
  },
  'GET /readyz': {
    tag: 'Operations',
    auth: 'public',
    summary: 'Readiness',
    description: '503 while the database is unreachable or the gateway is draining.',
    response: ok('Ready.', describedObject('Status.')),
  },
  'GET /metrics': {
    tag: 'Operations',
    auth: 'public',
    summary: 'Prometheus metrics',
    description: 'Public, unless `METRICS_TOKEN` is set (then `Authorization: Bearer <METRICS_TOKEN>`).',
    response: { status: 200, description: 'Prometheus text format.', contentType: 'text/plain' },
  },
  'GET /openapi.json': {
    tag: 'Operations',
    auth: 'public',
    summary: 'This document',
    response: ok('OpenAPI 3.1.', describedObject('An OpenAPI 3.1 document.')),
  },
};
