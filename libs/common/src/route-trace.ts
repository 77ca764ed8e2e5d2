/** One upstream call made for a request. */
export interface RouteAttempt {
  deployment: string;
  provider: string;
  upstreamModel: string;
  /** Upstream HTTP status, when one was received. */
  status?: number;
  /** The gateway error code of a failed attempt (`upstream_timeout`, …). */
  errorCode?: string;
  durationMs: number;
}

/** How a request was routed: the evidence a support engineer reads first. */
export interface RouteTrace {
  modelRequested: string;
  /** The catalog model that finally served (differs from the requested one after a fallback). */
  modelServed?: string;
  deployment?: string;
  attempts: RouteAttempt[];
  fallbackReason?: string;
}
