import { isIP } from 'node:net';
import { CompletedRequest, InboundApiName, isoMicros, scrubSecrets, truncate, UsageSource } from '@app/common';
import { recordId } from './record-id';

/** One upstream call made for the request. */
export interface AttemptRecord {
  deployment: string;
  status: number | null;
  error_code: string | null;
  duration_ms: number;
}

/**
 * The evidence kept for one request: who called, what was asked for and served, how it was routed, what
 * the client got, how long it took, what it used and cost. Never prompt or completion text, never a key
 * (only its id and masked form). Snake_case, so that one shape is the row, the API view and the export.
 */
export interface RequestRecord {
  id: string;
  /** Arrival time, ISO 8601 to the microsecond. */
  created_at: string;
  request_id: string;
  key_id: string | null;
  masked_key: string | null;
  /** The key's owner (a person or service) when the request was made. */
  owner: string | null;
  team_id: string | null;
  project_id: string | null;
  environment: string | null;
  method: string;
  endpoint: string;
  /** The inbound API called (`chat`, `embeddings`, `messages`, …); null for requests that were not model calls. */
  api: InboundApiName | null;
  stream: boolean;
  model_requested: string | null;
  model_served: string | null;
  deployment: string | null;
  attempts: AttemptRecord[];
  fallback_reason: string | null;
  status: number;
  client_aborted: boolean;
  error_type: string | null;
  error_code: string | null;
  upstream_message: string | null;
  latency_ms: number;
  ttfb_ms: number | null;
  /** Counts as the usage check left them: non-negative integers of at most 10 million (`MAX_USAGE_TOKENS`). */
  prompt_tokens: number | null;
  cached_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  /** `provider`, `clamped` (the upstream's report, corrected) or `estimated` (none came); null: no model call. */
  usage_source: UsageSource | null;
  cost_micro_usd: number | null;
  client_ip: string | null;
  user_agent: string | null;
  end_user: string | null;
  tags: Record<string, string> | null;
  /** What the serving provider could not be given (parameters, tools, content), each named; null: nothing. */
  dropped: string[] | null;
  /** Answered with the stored response of an earlier request with the same Idempotency-Key: no model call, cost 0. */
  idempotent_replay: boolean;
  /** Image requests: the images the upstream returned (what was charged) and the size asked for; never the images. */
  images: number | null;
  image_size: string | null;
}

/** Every column, in order, with its Postgres type: the insert, the reads and the CSV header follow it. */
export const RECORD_COLUMNS: ReadonlyArray<readonly [keyof RequestRecord, string]> = [
  ['id', 'uuid'],
  ['created_at', 'timestamptz'],
  ['request_id', 'text'],
  ['key_id', 'uuid'],
  ['masked_key', 'text'],
  ['owner', 'text'],
  ['team_id', 'uuid'],
  ['project_id', 'uuid'],
  ['environment', 'text'],
  ['method', 'text'],
  ['endpoint', 'text'],
  ['api', 'text'],
  ['stream', 'boolean'],
  ['model_requested', 'text'],
  ['model_served', 'text'],
  ['deployment', 'text'],
  ['attempts', 'jsonb'],
  ['fallback_reason', 'text'],
  ['status', 'smallint'],
  ['client_aborted', 'boolean'],
  ['error_type', 'text'],
  ['error_code', 'text'],
  ['upstream_message', 'text'],
  ['latency_ms', 'integer'],
  ['ttfb_ms', 'integer'],
  ['prompt_tokens', 'integer'],
  ['cached_tokens', 'integer'],
  ['completion_tokens', 'integer'],
  ['reasoning_tokens', 'integer'],
  ['usage_source', 'text'],
  ['cost_micro_usd', 'bigint'],
  ['client_ip', 'inet'],
  ['user_agent', 'text'],
  ['end_user', 'text'],
  ['tags', 'jsonb'],
  ['dropped', 'jsonb'],
  ['idempotent_replay', 'boolean'],
  ['images', 'integer'],
  ['image_size', 'text'],
];

const MAX_TEXT = 256;
const MAX_UPSTREAM_MESSAGE = 500;

/**
 * The record for a request whose response has ended. Every free-text field comes from the client or the
 * upstream, so each is bounded, scrubbed of anything shaped like a credential (keys pasted into URLs, keys
 * echoed in upstream errors) and rid of NUL characters, which Postgres text cannot hold.
 */
export function requestRecordFrom(completed: CompletedRequest): RequestRecord {
  const { context } = completed;
  const { principal, trace, usage, error } = context;
  const latencyMs = Math.max(0, Math.round(completed.endedAt - context.receivedAt));
  const sentWhole = !completed.stream && completed.status !== 499;
  return {
    id: recordId(),
    created_at: isoMicros(context.receivedAt),
    request_id: context.requestId,
    key_id: principal?.keyId ?? null,
    masked_key: principal?.maskedKey ?? null,
    owner: principal?.owner ?? null,
    team_id: principal?.teamId ?? null,
    project_id: principal?.projectId ?? null,
    environment: principal?.environment ?? null,
    method: completed.method,
    endpoint: bounded(completed.endpoint)!,
    api: context.api ?? null,
    stream: completed.stream,
    model_requested: bounded(context.modelRequested),
    model_served: trace?.modelServed ?? null,
    deployment: trace?.deployment ?? null,
    attempts: (trace?.attempts ?? []).map((attempt) => ({
      deployment: attempt.deployment,
      status: attempt.status ?? null,
      error_code: attempt.errorCode ?? null,
      duration_ms: attempt.durationMs,
    })),
    fallback_reason: bounded(trace?.fallbackReason),
    status: completed.status,
    client_aborted: completed.clientAborted,
    error_type: error?.type ?? null,
    error_code: error?.code ?? null,
    upstream_message: bounded(error?.options.upstreamMessage, MAX_UPSTREAM_MESSAGE),
    latency_ms: latencyMs,
    ttfb_ms:
      context.firstByteAt !== undefined
        ? Math.max(0, Math.round(context.firstByteAt - context.receivedAt))
        : sentWhole
          ? latencyMs
          : null,
    prompt_tokens: usage?.promptTokens ?? null,
    cached_tokens: usage?.cachedTokens ?? null,
    completion_tokens: usage?.completionTokens ?? null,
    reasoning_tokens: usage?.reasoningTokens ?? null,
    usage_source: usage?.source ?? null,
    cost_micro_usd: context.costMicroUsd,
    client_ip: isIP(completed.clientIp) ? completed.clientIp : null,
    user_agent: bounded(completed.userAgent),
    end_user: bounded(completed.endUser),
    tags: context.tags
      ? Object.fromEntries(Object.entries(context.tags).map(([key, value]) => [bounded(key)!, bounded(value)!]))
      : null,
    dropped: context.dropped?.length ? context.dropped.map((name) => bounded(name)!) : null,
    idempotent_replay: context.idempotentReplay === true,
    images: context.images?.count ?? null,
    image_size: bounded(context.images?.size),
  };
}

function bounded(text: string | null | undefined, max = MAX_TEXT): string | null {
  return text ? truncate(scrubSecrets(text.replace(/\0/g, '')), max) : null;
}
