import { GatewayError } from '@app/common';

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

export function invalid(message: string, param: string | null): GatewayError {
  return new GatewayError('invalid_request_error', message, { param });
}
