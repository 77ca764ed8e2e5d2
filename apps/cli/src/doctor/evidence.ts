import type { DoctorRun, Evidence } from './doctor-run';
import type { ProbeResponse } from './probe';
import { maskSecret } from './secrets';

/**
 * The evidence fields the launch checklist asks for, from one response: status, model, request type,
 * latency, masked key, request id, and the raw error text of a failure. Switchyard's route headers are
 * added when present.
 */
export function responseEvidence(run: DoctorRun, response: ProbeResponse, requestType: string, key: string): Evidence {
  const deployment = response.headers.get('x-switchyard-deployment');
  return {
    status: response.status,
    // The model that answered, else (an error) the one asked for: support needs a model name either way.
    model: modelOf(response.json) ?? response.headers.get('x-switchyard-model') ?? `${run.settings.model} (requested)`,
    ...(deployment ? { deployment, attempts: Number(response.headers.get('x-switchyard-attempts')) } : {}),
    request_type: requestType,
    latency_ms: response.latencyMs,
    key: maskSecret(key),
    request_id: response.requestId,
    ...(response.status >= 400 ? { error: run.probe.errorText(response.text) } : {}),
  };
}

export function modelOf(json: unknown): string | null {
  const model = (json as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' ? model : null;
}

/** The reply's `usage` as the report shows it, or null when none came. */
export function usageOf(json: unknown): Evidence | null {
  const usage = (json as { usage?: unknown } | undefined)?.usage;
  if (!usage || typeof usage !== 'object') return null;
  const { prompt_tokens, completion_tokens, total_tokens } = usage as Record<string, unknown>;
  return { prompt_tokens, completion_tokens, total_tokens };
}

/** A minimal chat request: asks for a short answer, sets no token limit (parameter names differ by model). */
export function chatBody(model: string, stream = false): Record<string, unknown> {
  return {
    model,
    messages: [{ role: 'user', content: 'Reply with the single word OK.' }],
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}
