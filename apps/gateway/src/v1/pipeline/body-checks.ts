import { GatewayError } from '@app/common';

/** The longest `model` or `user` accepted: both are kept in logs and evidence records (which hold 256). */
const MAX_IDENTIFIER_CHARS = 256;

/** Small checks shared by the proxy routes, which validate only what the gateway itself uses. */
export function requireObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw invalid('The request body must be a JSON object.', null);
  return body as Record<string, unknown>;
}

export function requireModel(request: Record<string, unknown>): string {
  if (typeof request.model !== 'string' || request.model.trim() === '') {
    throw invalid('"model" is required: the name of a model from GET /v1/models.', 'model');
  }
  return request.model;
}

/**
 * The identifying fields every `/v1` API reads (`model`, `user`) are bounded in size, checked as the body is
 * parsed and before any other work, so no megabyte-long name reaches a log line, a record or an error.
 */
export function checkIdentifiers(body: unknown): void {
  if (!body || typeof body !== 'object') return;
  for (const field of ['model', 'user'] as const) {
    const value = (body as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.length > MAX_IDENTIFIER_CHARS) {
      throw invalid(`"${field}" must be at most ${MAX_IDENTIFIER_CHARS} characters.`, field);
    }
  }
}

export function invalid(message: string, param: string | null): GatewayError {
  return new GatewayError('invalid_request_error', message, { param });
}
