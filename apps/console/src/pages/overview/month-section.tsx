import { useMemo } from 'preact/hooks';
import { usage } from '../../api/admin-api';
import type { UsageRow } from '../../api/types';
import { formatCount, formatMicroUsd, formatPercent, utcDay, utcMonthStart } from '../../format';
import { useSession } from '../../session/session';
import { Chart } from '../../ui/chart';
import { Async, Empty, useResource } from '../../ui/resource';

const DAY_S = 86_400;

/** This UTC month so far, from the daily usage rollups: totals and cost per day. */
export function MonthSection() {
  const { api } = useSession();
  const now = new Date();
  const since = utcMonthStart(now);
  const until = utcDay(now);
  const [report, reload] = useResource(() => usage(api, { group_by: 'day', since, until }), [since, until]);
  return (
    <section class="card" aria-labelledby="month-title">
      <h2 id="month-title">This month (UTC, since {since})</h2>
      <Async value={report} loading="Loading this month's usage…" retry={reload}>
        {(data) =>
          data.data.length === 0 ? (
            <Empty title="No usage this month yet.">Requests made with gateway keys show up here.</Empty>
          ) : (
            <MonthTotals rows={data.data} since={since} until={until} />
          )
        }
      </Async>
    </section>
  );
}

function MonthTotals({ rows, since, until }: { rows: UsageRow[]; since: string; until: string }) {
  const total = (field: keyof UsageRow) => rows.reduce((sum, row) => sum + Number(row[field] ?? 0), 0);
  const requests = total('requests');
  const errors = total('errors');
  const tokens = total('prompt_tokens') + total('completion_tokens');
  const chart = useMemo(() => costPerDay(rows, since, until), [rows, since, until]);
  return (
    <>
      <div class="tiles">
        <Tile label="Spend" value={formatMicroUsd(total('cost_micro_usd'))} />
        <Tile label="Requests" value={formatCount(requests)} />
        <Tile label="Errors" value={`${formatCount(errors)} (${formatPercent(requests ? errors / requests : 0)})`} />
        <Tile label="Tokens" value={formatCount(tokens)} />
      </div>
      <figure>
        <figcaption>Spend per day (UTC)</figcaption>
        <Chart title="Spend per UTC day" x={chart.x} series={chart.series} format={formatUsdAxis} bars days />
      </figure>
    </>
  );
}

const formatUsdAxis = (micros: number) => formatMicroUsd(micros);

/** One bar per UTC day of the month so far, days without usage included. */
function costPerDay(rows: UsageRow[], since: string, until: string) {
  const byDay = new Map(rows.map((row) => [row.day, row.cost_micro_usd]));
  const x: number[] = [];
  const values: number[] = [];
  for (let t = Date.parse(since) / 1000; t <= Date.parse(until) / 1000; t += DAY_S) {
    x.push(t);
    values.push(byDay.get(new Date(t * 1000).toISOString().slice(0, 10)) ?? 0);
  }
  return { x, series: [{ label: 'Spend', values, color: '#2563eb' }] };
}

function Tile({ label, value }: { label: string; value: string }) {
  return (
    <div class="tile">
      <span class="tile-label">{label}</span>
      <span class="tile-value">{value}</span>
    </div>
  );
}
