import { useMemo, useState } from 'preact/hooks';
import { listRequests } from '../../api/admin-api';
import type { AdminClient } from '../../api/client';
import { formatCount, formatMs, formatPercent } from '../../format';
import { useSession } from '../../session/session';
import { Chart } from '../../ui/chart';
import { Async, Empty, useResource } from '../../ui/resource';
import { TrafficSample, trafficSeries } from './traffic';

const RANGES = [
  { label: 'Last hour', ms: 3_600_000, bucketMs: 60_000 },
  { label: 'Last 6 hours', ms: 6 * 3_600_000, bucketMs: 5 * 60_000 },
  { label: 'Last 24 hours', ms: 24 * 3_600_000, bucketMs: 15 * 60_000 },
];

/**
 * The charts are computed here from the request records themselves (newest first, 500 a page), because
 * the usage rollups are per day and carry no latency. The newest MAX_SAMPLES records of the range are
 * read; beyond that the charts say they show part of the range.
 */
const PAGE = 500;
const MAX_SAMPLES = 5_000;

interface Samples {
  records: TrafficSample[];
  complete: boolean;
  sinceMs: number;
  untilMs: number;
}

async function loadSamples(api: AdminClient, rangeMs: number): Promise<Samples> {
  const untilMs = Date.now();
  const sinceMs = untilMs - rangeMs;
  const records: TrafficSample[] = [];
  let cursor: string | null = null;
  do {
    const page = await listRequests(api, { since: new Date(sinceMs).toISOString() }, PAGE, cursor);
    records.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && records.length < MAX_SAMPLES);
  return { records, complete: cursor === null, sinceMs, untilMs };
}

export function TrafficSection() {
  const { api } = useSession();
  const [rangeIndex, setRangeIndex] = useState(0);
  const range = RANGES[rangeIndex];
  const [samples, reload] = useResource(() => loadSamples(api, range.ms), [range.ms]);
  return (
    <section class="card" aria-labelledby="traffic-title">
      <div class="section-header">
        <h2 id="traffic-title">Traffic</h2>
        <div class="segmented" role="group" aria-label="Time range">
          {RANGES.map((option, i) => (
            <button
              key={option.label}
              type="button"
              class={i === rangeIndex ? 'segment selected' : 'segment'}
              aria-pressed={i === rangeIndex}
              onClick={() => setRangeIndex(i)}
            >
              {option.label}
            </button>
          ))}
          <button type="button" class="segment" onClick={reload}>
            Refresh
          </button>
        </div>
      </div>
      <Async value={samples} loading="Loading request records…" retry={reload}>
        {(data) =>
          data.records.length === 0 ? (
            <Empty title={`No requests in the ${range.label.toLowerCase()}.`} />
          ) : (
            <TrafficCharts samples={data} bucketMs={range.bucketMs} />
          )
        }
      </Async>
    </section>
  );
}

const perMinute = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)}/min`;
const milliseconds = (value: number) => formatMs(value);
const ratio = (value: number) => formatPercent(value);

function TrafficCharts({ samples, bucketMs }: { samples: Samples; bucketMs: number }) {
  const series = useMemo(
    () => trafficSeries(samples.records, samples.sinceMs, samples.untilMs, bucketMs),
    [samples, bucketMs],
  );
  const requests = useMemo(() => [{ label: 'Requests', values: series.requestsPerMinute, color: '#2563eb' }], [series]);
  const latency = useMemo(
    () => [
      { label: 'p50', values: series.addedP50, color: '#059669' },
      { label: 'p95', values: series.addedP95, color: '#d97706' },
    ],
    [series],
  );
  const errors = useMemo(() => [{ label: 'Errors', values: series.errorRatio, color: '#dc2626' }], [series]);
  return (
    <>
      <p class="muted">
        {formatCount(samples.records.length, 'request')}
        {!samples.complete && ' (the newest ones only: the range holds more)'}.
      </p>
      <div class="charts">
        <figure>
          <figcaption>Requests per minute</figcaption>
          <Chart title="Requests per minute" x={series.x} series={requests} format={perMinute} />
        </figure>
        <figure>
          <figcaption>Added latency (time to response minus upstream time), p50 and p95</figcaption>
          <Chart title="Added latency p50 and p95" x={series.x} series={latency} format={milliseconds} />
        </figure>
        <figure>
          <figcaption>Error ratio</figcaption>
          <Chart title="Error ratio" x={series.x} series={errors} format={ratio} />
        </figure>
      </div>
    </>
  );
}
