import type { Metric, Registry } from 'prom-client';

/** A label value: a bounded string or a status code (one label keeps one type: 200 and "200" are two keys). */
export type LabelValue = string | number;

type Labels = Record<string, LabelValue>;
/** One level of the label-value tree: the next level's maps, or at the last level the series. */
type Level = Map<LabelValue, unknown>;

/** A value as the prom-client registry formats it (`sharedLabels` follow the metric's own, e.g. `le`). */
interface ExportedValue {
  labels: Labels;
  sharedLabels?: Labels;
  value: number;
  metricName?: string;
}

interface ExportedMetric {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: ExportedValue[];
}

/**
 * The series of one metric, found again by their label values in nested maps: a request's update builds
 * nothing once its label set has been seen. prom-client's own `inc`/`observe` validate the label object and
 * hash it into a string key on every call (~4 KB of garbage and ~3 % of the gateway's CPU for a request's
 * seven updates); its `labels()` children do the same per call. Positional label values, up to six, in the
 * order of `labelNames` (no rest parameter: that would allocate an array per update).
 */
abstract class LabelledMetric<S extends { labels: Labels }> {
  readonly aggregator = 'sum';
  private root: Level = new Map();
  private readonly all: S[] = [];

  constructor(
    /** Written by the registry for OpenMetrics output (it drops a counter's `_total`). */
    public name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    if (labelNames.length === 0 || labelNames.length > 6) throw new Error(`${name}: 1 to 6 label names`);
    // The registry asks a metric only for its name, type, values (`get`) and `reset`; prom-client's types
    // list its own four classes.
    registry.registerMetric(this as unknown as Metric);
  }

  protected abstract create(labels: Labels): S;

  protected series(a: LabelValue, b?: LabelValue, c?: LabelValue, d?: LabelValue, e?: LabelValue, f?: LabelValue): S {
    const last = this.labelNames.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const key = nth(i, a, b, c, d, e, f);
      let next = node.get(key) as Level | undefined;
      if (!next) node.set(key, (next = new Map()));
      node = next;
    }
    const key = nth(last, a, b, c, d, e, f);
    let series = node.get(key) as S | undefined;
    if (!series) {
      const labels: Labels = {};
      for (let i = 0; i <= last; i++) labels[this.labelNames[i]] = nth(i, a, b, c, d, e, f);
      series = this.create(labels);
      node.set(key, series);
      this.all.push(series);
    }
    return series;
  }

  protected abstract values(series: S): ExportedValue[];

  /** What `registry.metrics()` formats (label values are escaped there). */
  async getForPromString(): Promise<ExportedMetric> {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: this.all.flatMap((series) => this.values(series)),
    };
  }

  /** What `registry.getMetricsAsJSON()` returns: each value with all its labels, as prom-client's own. */
  async get(): Promise<ExportedMetric> {
    const metric = await this.getForPromString();
    metric.values = metric.values.map(({ labels, sharedLabels, ...value }) => ({
      ...value,
      labels: { ...labels, ...sharedLabels },
    }));
    return metric;
  }

  abstract readonly type: 'counter' | 'histogram';

  reset(): void {
    this.root = new Map();
    this.all.length = 0;
  }
}

interface CounterSeries {
  labels: Labels;
  value: number;
}

/** A Prometheus counter whose updates cost a few map lookups and an addition. */
export class LabelledCounter extends LabelledMetric<CounterSeries> {
  readonly type = 'counter';

  inc(value: number, a: LabelValue, b?: LabelValue, c?: LabelValue, d?: LabelValue, e?: LabelValue, f?: LabelValue) {
    if (!(value >= 0) || !Number.isFinite(value)) throw new TypeError(`${this.name}: cannot add ${value}`);
    this.series(a, b, c, d, e, f).value += value;
  }

  protected create(labels: Labels): CounterSeries {
    return { labels, value: 0 };
  }

  protected values(series: CounterSeries): ExportedValue[] {
    return [{ labels: series.labels, value: series.value }];
  }
}

interface HistogramSeries {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound (`+Inf` only). */
  buckets: Float64Array;
  sum: number;
  count: number;
}

/** A Prometheus histogram with fixed bucket bounds, exposed exactly as prom-client's `Histogram` is. */
export class LabelledHistogram extends LabelledMetric<HistogramSeries> {
  readonly type = 'histogram';

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  observe(
    value: number,
    a: LabelValue,
    b?: LabelValue,
    c?: LabelValue,
    d?: LabelValue,
    e?: LabelValue,
    f?: LabelValue,
  ) {
    if (!Number.isFinite(value)) throw new TypeError(`${this.name}: cannot observe ${value}`);
    const series = this.series(a, b, c, d, e, f);
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]) bucket++;
    series.buckets[bucket]++;
    series.sum += value;
    series.count++;
  }

  protected create(labels: Labels): HistogramSeries {
    return { labels, buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 };
  }

  protected values(series: HistogramSeries): ExportedValue[] {
    const bucketName = `${this.name}_bucket`;
    let cumulative = 0;
    const values: ExportedValue[] = this.bounds.map((bound, i) => {
      cumulative += series.buckets[i];
      return { labels: { le: bound }, sharedLabels: series.labels, value: cumulative, metricName: bucketName };
    });
    values.push(
      { labels: { le: '+Inf' }, sharedLabels: series.labels, value: series.count, metricName: bucketName },
      { labels: {}, sharedLabels: series.labels, value: series.sum, metricName: `${this.name}_sum` },
      { labels: {}, sharedLabels: series.labels, value: series.count, metricName: `${this.name}_count` },
    );
    return values;
  }
}

/** The `i`th of the positional label values; a missing one is a caller's bug, not a label. */
function nth(
  i: number,
  a: LabelValue,
  b?: LabelValue,
  c?: LabelValue,
  d?: LabelValue,
  e?: LabelValue,
  f?: LabelValue,
): LabelValue {
  const value = i === 0 ? a : i === 1 ? b : i === 2 ? c : i === 3 ? d : i === 4 ? e : f;
  if (value === undefined) throw new Error(`label value ${i + 1} missing`);
  return value;
}
