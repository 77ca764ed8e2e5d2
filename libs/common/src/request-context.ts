import type { Principal } from './principal';
import type { RouteTrace } from './route-trace';

/**
 * What the gateway learns about one request as it travels (who called, which model), hung on the raw
 * Node request so that guards, services, the request logger and interceptors all see the same object.
 */
export interface RequestContext {
  requestId: string;
  principal?: Principal;
  adminKeyId?: string;
  modelRequested?: string;
  /** Set once routing starts; complete when the response (or stream) ends. */
  trace?: RouteTrace;
}

const CONTEXT = Symbol.for('switchyard.request-context');

type Carrier = { [CONTEXT]?: RequestContext; id?: unknown };

export function requestContext(rawRequest: object): RequestContext {
  const carrier = rawRequest as Carrier;
  return (carrier[CONTEXT] ??= { requestId: String(carrier.id ?? '') });
}
