import type { RequestRecord } from '../../api/types';

/** The fields of a request record the traffic charts read. */
export type TrafficSample = Pick<
  RequestRecord,
  'created_at' | 'latency_ms' | 'ttfb_ms' | 'stream' | 'attempts' | 'error_code'
>;

/** Column-wise series, as uPlot takes them: x in Unix seconds, one value (or null: no data) per bucket. */
export interface TrafficSeries {
  x: number[];
  requestsPerMinute: number[];
  errorRatio: Array<number | null>;
  addedP50: Array<number | null>;
  addedP95: Array<number | null>;
}

/**
 * The time the gateway added to a request: until the response (a stream: its first byte) minus the time
 * spent in upstream calls. Null for a request that called no upstream or whose first byte never came.
 */
export function addedLatencyMs(sample: TrafficSample): number | null {
  if (sample.attempts.length === 0) return null;
  const untilResponse = sample.stream ? sample.ttfb_ms : sample.latency_ms;
  if (untilResponse === null) return null;
  const upstream = sample.attempts.reduce((sum, attempt) => sum + attempt.duration_ms, 0);
  return Math.max(0, untilResponse - upstream);
}

/** The nearest-rank percentile of ascending values. */
export function percentile(ascending: number[], p: number): number | null {
  if (ascending.length === 0) return null;
  return ascending[Math.min(ascending.length - 1, Math.max(0, Math.ceil((p / 100) * ascending.length) - 1))];
}

/**
 * Buckets request records into equal intervals from `sinceMs` to `untilMs`: requests per minute, the share
 * that ended in an error (as the usage report counts errors: a record with an error code), and p50/p95
 * added latency. Buckets without requests have a rate of 0 and no ratio or latency.
 */
export function trafficSeries(
  samples: TrafficSample[],
  sinceMs: number,
  untilMs: number,
  bucketMs: number,
): TrafficSeries {
  const buckets = Math.max(1, Math.ceil((untilMs - sinceMs) / bucketMs));
  const counts = new Array<number>(buckets).fill(0);
  const errors = new Array<number>(buckets).fill(0);
  const added: number[][] = Array.from({ length: buckets }, () => []);
  for (const sample of samples) {
    const at = Date.parse(sample.created_at);
    if (at < sinceMs || at >= untilMs) continue;
    const bucket = Math.floor((at - sinceMs) / bucketMs);
    counts[bucket]++;
    if (sample.error_code !== null) errors[bucket]++;
    const latency = addedLatencyMs(sample);
    if (latency !== null) added[bucket].push(latency);
  }
  const minutes = bucketMs / 60_000;
  const sorted = added.map((values) => values.sort((a, b) => a - b));
  return {
    x: counts.map((_, i) => (sinceMs + i * bucketMs) / 1_000),
    requestsPerMinute: counts.map((count) => count / minutes),
    errorRatio: counts.map((count, i) => (count === 0 ? null : errors[i] / count)),
    addedP50: sorted.map((values) => percentile(values, 50)),
    addedP95: sorted.map((values) => percentile(values, 95)),
  };
}
