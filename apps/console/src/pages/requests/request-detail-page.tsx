import { getRequest } from '../../api/admin-api';
import type { RequestRecord } from '../../api/types';
import { formatCount, formatMicroUsd, formatMs } from '../../format';
import { Link } from '../../router';
import { useSession } from '../../session/session';
import { EnvironmentBadge, StatusBadge } from '../../ui/badges';
import { Fact, Facts } from '../../ui/facts';
import { Async, useResource } from '../../ui/resource';
import { Time } from '../../ui/time';
import { Directory, loadDirectory } from '../directory';
import { addedLatencyMs } from '../overview/traffic';
import { ModelCell } from './requests-page';

/** One request's whole evidence record: routing with every attempt, timings, usage, cost, caller, error. */
export function RequestDetailPage({ requestId }: { requestId: string }) {
  const { api } = useSession();
  const [detail, reload] = useResource(async () => {
    const [record, directory] = await Promise.all([getRequest(api, requestId), loadDirectory(api)]);
    return { record, directory };
  }, [requestId]);
  return (
    <>
      <header class="page-header">
        <Link to="/requests">← Requests</Link>
        <h1>
          Request <code>{requestId}</code>
        </h1>
      </header>
      <Async value={detail} loading="Loading the request record…" retry={reload}>
        {({ record, directory }) => <RecordDetail record={record} directory={directory} />}
      </Async>
    </>
  );
}

function RecordDetail({ record, directory }: { record: RequestRecord; directory: Directory }) {
  const key = directory.key(record.key_id);
  const project = directory.project(record.project_id);
  const team = directory.team(record.team_id);
  return (
    <div class="detail-grid" data-testid="request-detail">
      <section class="card">
        <h2>Outcome</h2>
        <Facts>
          <Fact label="Received">
            <Time iso={record.created_at} />
          </Fact>
          <Fact label="Status">
            <StatusBadge status={record.status} /> {record.client_aborted && <span class="badge">client left</span>}
          </Fact>
          <Fact label="Endpoint">
            <code>
              {record.method} {record.endpoint}
            </code>{' '}
            {record.stream && <span class="badge">stream</span>}
          </Fact>
          <Fact label="Error">{record.error_code ? `${record.error_type ?? ''} · ${record.error_code}` : 'none'}</Fact>
        </Facts>
      </section>

      <section class="card">
        <h2>Timing</h2>
        <Facts>
          <Fact label="Total">{formatMs(record.latency_ms)}</Fact>
          <Fact label="First byte">{formatMs(record.ttfb_ms)}</Fact>
          <Fact label="Added by the gateway">{formatMs(addedLatencyMs(record))}</Fact>
        </Facts>
      </section>

      <section class="card wide">
        <h2>Route</h2>
        <Facts>
          <Fact label="Model">
            <ModelCell record={record} />
          </Fact>
          <Fact label="Served by">{record.deployment ? <code>{record.deployment}</code> : 'no deployment'}</Fact>
          <Fact label="Fallback reason">{record.fallback_reason ?? 'none'}</Fact>
        </Facts>
        {record.attempts.length === 0 ? (
          <p class="muted">No upstream was called.</p>
        ) : (
          <table class="table" data-testid="attempts">
            <thead>
              <tr>
                <th>#</th>
                <th>Deployment</th>
                <th>Status</th>
                <th>Error</th>
                <th class="number">Duration</th>
              </tr>
            </thead>
            <tbody>
              {record.attempts.map((attempt, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td>
                    <code>{attempt.deployment}</code>
                  </td>
                  <td>
                    {attempt.status === null ? (
                      <span class="muted">no answer</span>
                    ) : (
                      <StatusBadge status={attempt.status} />
                    )}
                  </td>
                  <td>{attempt.error_code ?? <span class="muted">—</span>}</td>
                  <td class="number">{formatMs(attempt.duration_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section class="card">
        <h2>Usage and cost</h2>
        <Facts>
          <Fact label="Prompt tokens">{formatCount(record.prompt_tokens)}</Fact>
          <Fact label="of which cached">{formatCount(record.cached_tokens)}</Fact>
          <Fact label="Completion tokens">{formatCount(record.completion_tokens)}</Fact>
          <Fact label="of which reasoning">{formatCount(record.reasoning_tokens)}</Fact>
          <Fact label="Counted by">{record.usage_source ?? '—'}</Fact>
          <Fact label="Cost">
            {record.cost_micro_usd === null && record.prompt_tokens !== null
              ? 'unpriced'
              : formatMicroUsd(record.cost_micro_usd)}
          </Fact>
        </Facts>
      </section>

      <section class="card">
        <h2>Caller</h2>
        <Facts>
          <Fact label="Key">
            <code>{record.masked_key ?? '—'}</code> {key?.name}
          </Fact>
          <Fact label="Owner">{record.owner ?? '—'}</Fact>
          <Fact label="Environment">
            <EnvironmentBadge environment={record.environment} />
          </Fact>
          <Fact label="Project">{project?.name ?? record.project_id ?? '—'}</Fact>
          <Fact label="Team">{team?.name ?? record.team_id ?? '—'}</Fact>
          <Fact label="Client IP">{record.client_ip ?? '—'}</Fact>
          <Fact label="User agent">{record.user_agent ?? '—'}</Fact>
          <Fact label="End user">{record.end_user ?? '—'}</Fact>
          <Fact label="Tags">
            {record.tags
              ? Object.entries(record.tags)
                  .map(([name, value]) => `${name}=${value}`)
                  .join(', ')
              : '—'}
          </Fact>
        </Facts>
      </section>

      <section class="card wide">
        <h2>Upstream error</h2>
        {record.upstream_message ? (
          <pre class="raw" data-testid="upstream-message">
            {record.upstream_message}
          </pre>
        ) : (
          <p class="muted">The upstream reported no error.</p>
        )}
      </section>
    </div>
  );
}
