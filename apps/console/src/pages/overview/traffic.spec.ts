import { addedLatencyMs, percentile, TrafficSample, trafficSeries } from './traffic';

const T0 = Date.parse('2026-03-10T12:00:00Z');

function sample(offsetMs: number, fields: Partial<TrafficSample> = {}): TrafficSample {
  return {
    created_at: new Date(T0 + offsetMs).toISOString(),
    latency_ms: 120,
    ttfb_ms: 120,
    stream: false,
    attempts: [{ deployment: 'openai/gpt', status: 200, error_code: null, duration_ms: 100 }],
    error_code: null,
    ...fields,
  };
}

describe('traffic series', () => {
  it('takes upstream time out of the latency: the whole response, or a stream until its first byte', () => {
    expect(addedLatencyMs(sample(0))).toBe(20);
    expect(addedLatencyMs(sample(0, { stream: true, latency_ms: 5_000, ttfb_ms: 130 }))).toBe(30);
    const retried = sample(0, {
      latency_ms: 400,
      attempts: [
        { deployment: 'a', status: 503, error_code: 'upstream_unavailable', duration_ms: 150 },
        { deployment: 'b', status: 200, error_code: null, duration_ms: 200 },
      ],
    });
    expect(addedLatencyMs(retried)).toBe(50);
    expect(addedLatencyMs(sample(0, { attempts: [] }))).toBeNull();
  });

  it('uses nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 95)).toBe(4);
    expect(percentile([], 50)).toBeNull();
  });

  it('buckets requests per minute, error ratio and latency, leaving empty buckets without a ratio', () => {
    const samples = [
      sample(10_000),
      sample(20_000, { error_code: 'upstream_error', latency_ms: 300 }),
      sample(130_000),
      // Outside the range: ignored.
      sample(-1),
      sample(180_000),
    ];
    const series = trafficSeries(samples, T0, T0 + 180_000, 60_000);
    expect(series.x).toEqual([T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 120]);
    expect(series.requestsPerMinute).toEqual([2, 0, 1]);
    expect(series.errorRatio).toEqual([0.5, null, 0]);
    expect(series.addedP50).toEqual([20, null, 20]);
    expect(series.addedP95).toEqual([200, null, 20]);
  });
});
