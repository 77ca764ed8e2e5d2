import type { RouteTrace } from '@app/common';

/** The route trace as response headers, on successes and errors alike. */
export function routeHeaders(
  trace: RouteTrace | undefined,
  droppedParams: readonly string[] = [],
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!trace) return headers;
  headers['x-switchyard-attempts'] = String(trace.attempts.length);
  if (trace.modelServed) headers['x-switchyard-model'] = trace.modelServed;
  if (trace.deployment) headers['x-switchyard-deployment'] = trace.deployment;
  if (trace.fallbackReason) headers['x-switchyard-fallback-reason'] = trace.fallbackReason;
  if (droppedParams.length > 0) headers['x-switchyard-dropped-params'] = droppedParams.join(',');
  return headers;
}
