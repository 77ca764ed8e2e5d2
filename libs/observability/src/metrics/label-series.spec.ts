import { Counter, Histogram, Registry } from 'prom-client';
import { LabelledCounter, LabelledHistogram } from './label-series';

const BUCKETS = [0.01, 0.1, 1];
const observations: Array<[number, string, number]> = [
  [0.005, 'chat', 200],
  [0.05, 'chat', 200],
  [0.5, 'chat', 429],
  [5, 'embed"ings\\', 200],
  [1, 'chat', 200],
];

/** The text exposition of a registry holding only what `fill` registers. */
async function exposition(fill: (registry: Registry) => void): Promise<string> {
  const registry = new Registry();
  fill(registry);
  return registry.metrics();
}

describe('LabelledCounter and LabelledHistogram', () => {
  it('expose exactly what prom-client exposes for the same updates', async () => {
    const ours = await exposition((registry) => {
      const histogram = new LabelledHistogram('d_seconds', 'Durations.', ['api', 'status'], BUCKETS, registry);
      const counter = new LabelledCounter('r_total', 'Requests.', ['api', 'status'], registry);
      for (const [value, api, status] of observations) {
        histogram.observe(value, api, status);
        counter.inc(value, api, status);
      }
    });
    const theirs = await exposition((registry) => {
      const histogram = new Histogram({
        name: 'd_seconds',
        help: 'Durations.',
        labelNames: ['api', 'status'],
        buckets: BUCKETS,
        registers: [registry],
      });
      const counter = new Counter({
        name: 'r_total',
        help: 'Requests.',
        labelNames: ['api', 'status'],
        registers: [registry],
      });
      for (const [value, api, status] of observations) {
        histogram.observe({ api, status }, value);
        counter.inc({ api, status }, value);
      }
    });
    expect(ours).toContain('d_seconds_bucket{le="0.1",api="chat",status="200"} 2');
    expect(ours).toContain('d_seconds_bucket{le="+Inf",api="embed\\"ings\\\\",status="200"} 1');
    expect(ours).toBe(theirs);
  });

  it('refuses what prom-client refuses: a negative or non-finite count, a missing label value', () => {
    const registry = new Registry();
    const counter = new LabelledCounter('r_total', 'Requests.', ['api', 'status'], registry);
    expect(() => counter.inc(-1, 'chat', 200)).toThrow(TypeError);
    expect(() => counter.inc(Number.POSITIVE_INFINITY, 'chat', 200)).toThrow(TypeError);
    expect(() => counter.inc(1, 'chat')).toThrow('label value 2 missing');
    const histogram = new LabelledHistogram('d_seconds', 'Durations.', ['api'], BUCKETS, registry);
    expect(() => histogram.observe(Number.NaN, 'chat')).toThrow(TypeError);
  });

  it('starts over on reset, as the registry resets its metrics', async () => {
    const registry = new Registry();
    const counter = new LabelledCounter('r_total', 'Requests.', ['api'], registry);
    counter.inc(3, 'chat');
    registry.resetMetrics();
    counter.inc(1, 'chat');
    expect(await registry.metrics()).toContain('r_total{api="chat"} 1');
  });
});
