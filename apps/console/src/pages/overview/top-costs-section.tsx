import type { ComponentChildren } from 'preact';
import { usage } from '../../api/admin-api';
import type { UsageGrouping, UsageRow } from '../../api/types';
import { formatCount, formatMicroUsd, utcDay, utcMonthStart } from '../../format';
import { Link } from '../../router';
import { useSession } from '../../session/session';
import { EnvironmentBadge } from '../../ui/badges';
import { Async, Empty, useResource } from '../../ui/resource';
import { Directory, loadDirectory } from '../directory';

const TOP = 5;

interface TopCosts {
  directory: Directory;
  byKey: UsageRow[];
  byModel: UsageRow[];
  byOwner: UsageRow[];
}

export function TopCostsSection() {
  const { api } = useSession();
  const now = new Date();
  const since = utcMonthStart(now);
  const until = utcDay(now);
  const top = async (group_by: UsageGrouping) =>
    (await usage(api, { group_by, since, until })).data
      .filter((row) => row.cost_micro_usd > 0 || row.requests > 0)
      .sort((a, b) => b.cost_micro_usd - a.cost_micro_usd || b.requests - a.requests)
      .slice(0, TOP);
  const [costs, reload] = useResource<TopCosts>(async () => {
    const [directory, byKey, byModel, byOwner] = await Promise.all([
      loadDirectory(api),
      top('key'),
      top('model'),
      top('owner'),
    ]);
    return { directory, byKey, byModel, byOwner };
  }, [since, until]);

  return (
    <section class="card" aria-labelledby="top-title">
      <h2 id="top-title">Top spenders this month</h2>
      <Async value={costs} loading="Loading usage by key, model and owner…" retry={reload}>
        {({ directory, byKey, byModel, byOwner }) => (
          <div class="columns">
            <TopTable title="Keys" rows={byKey} testId="top-keys">
              {(row) => <KeyName directory={directory} keyId={row.key_id ?? null} />}
            </TopTable>
            <TopTable title="Models" rows={byModel} testId="top-models">
              {(row) => <code>{row.model || '(no model)'}</code>}
            </TopTable>
            <TopTable title="Owners" rows={byOwner} testId="top-owners">
              {(row) => (row.owner ? <span>{row.owner}</span> : <span class="muted">keys without an owner</span>)}
            </TopTable>
          </div>
        )}
      </Async>
    </section>
  );
}

function KeyName({ directory, keyId }: { directory: Directory; keyId: string | null }) {
  const key = directory.key(keyId);
  if (!key) return <span class="muted">{keyId ?? '(no key)'}</span>;
  const project = directory.project(key.project_id);
  return (
    <span>
      {project ? <Link to={`/teams/${project.team_id}`}>{key.name}</Link> : key.name}{' '}
      <EnvironmentBadge environment={key.environment} /> <code class="muted">{key.masked_key}</code>
    </span>
  );
}

interface TopTableProps {
  title: string;
  rows: UsageRow[];
  testId: string;
  children: (row: UsageRow) => ComponentChildren;
}

function TopTable({ title, rows, testId, children }: TopTableProps) {
  return (
    <div>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <Empty title="No usage yet this month." />
      ) : (
        <table class="table compact" data-testid={testId}>
          <thead>
            <tr>
              <th>{title.replace(/s$/, '')}</th>
              <th class="number">Cost</th>
              <th class="number">Requests</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, i) => (
              <tr key={i}>
                <td>{children(row)}</td>
                <td class="number">{formatMicroUsd(row.cost_micro_usd)}</td>
                <td class="number">{formatCount(row.requests)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
