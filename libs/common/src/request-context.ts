import type { GatewayError } from './errors/gateway-error';
import type { AdminPrincipal, Principal } from './principal';
import type { RouteTrace } from './route-trace';
import type { TokenUsage } from './token-usage';
import { preciseNow } from './util/precise-time';

/** The wire APIs clients call models through: what evidence records, usage and metrics group by. */
export const INBOUND_APIS = ['chat', 'embeddings', 'messages', 'count_tokens', 'responses', 'images'] as const;
export type InboundApiName = (typeof INBOUND_APIS)[number];

/**
 * What the gateway learns about one request as it travels (who called, which model), hung on the raw
 * Node request so that guards, services, the request logger and interceptors all see the same object.
 */
export interface RequestContext {
  requestId: string;
  /** The inbound API the request was sent to; unset outside the `/v1` model routes. */
  api?: InboundApiName;
  principal?: Principal;
  /** The admin token's id on admin routes (what the request log shows); its role and teams are in `admin`. */
  adminKeyId?: string;
  admin?: AdminPrincipal;
  modelRequested?: string;
  /** Set once routing starts; complete when the response (or stream) ends. */
  trace?: RouteTrace;
  /** When the request arrived (epoch ms, sub-millisecond precision). */
  receivedAt: number;
  /** When the first response byte left: a stream's first event; unset for plain replies (sent whole). */
  firstByteAt?: number;
  /** The upstream's usage report (a stream's last usage chunk), or an estimate when it never came. */
  usage?: TokenUsage;
  /** What the request cost in micro-USD, set when the budget is settled; null while unknown. */
  costMicroUsd: number | null;
  /** An image request: the images the upstream returned and the size asked for (never the images themselves). */
  images?: GeneratedImages;
  /** The error the client was sent, or that ended a stream already under way; redacted. */
  error?: GatewayError;
  /**
   * What the request asked for that the serving provider could not be given (parameters, tools, content),
   * each named: the translation's and the adapter's. Also sent as `x-switchyard-dropped-params`.
   */
  dropped?: readonly string[];
  /** Caller tags from `x-switchyard-tags`, validated. */
  tags?: Readonly<Record<string, string>>;
  /** Resolves when the route handler has finished, a stream's relay included; unset if none ran. */
  handled?: Promise<void>;
  /** Answered with the stored response of an earlier request with the same Idempotency-Key (no model call). */
  idempotentReplay?: boolean;
}

/** What an image request produced, for its charge and its evidence record. */
export interface GeneratedImages {
  count: number;
  /** The `size` the client asked for; null when it sent none (the upstream's default). */
  size: string | null;
}

/** A request whose response has ended: what its evidence record and its metrics are made from. */
export interface CompletedRequest {
  context: RequestContext;
  method: string;
  /** The path, without the query string. */
  endpoint: string;
  /** The status the client received; without a response, 499 (the client left) or 408 (see unansweredStatus). */
  status: number;
  /** The client closed the connection before the response was complete. */
  clientAborted: boolean;
  stream: boolean;
  /** When the response ended (epoch ms, sub-millisecond precision). */
  endedAt: number;
  clientIp: string;
  userAgent: string | null;
  /** The OpenAI `user` field: the caller's end-user id. */
  endUser: string | null;
}

const CONTEXT = Symbol.for('switchyard.request-context');

type Carrier = { [CONTEXT]?: RequestContext; id?: unknown };

export function requestContext(rawRequest: object): RequestContext {
  const carrier = rawRequest as Carrier;
  const id = carrier.id;
  const requestId = typeof id === 'string' || typeof id === 'number' ? String(id) : '';
  return (carrier[CONTEXT] ??= { requestId, receivedAt: preciseNow(), costMicroUsd: null });
}
