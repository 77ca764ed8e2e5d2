import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import {
  AccessFilter,
  AuditFilter,
  listAccessEvents,
  listAdminTokens,
  listAuditEvents,
  verifyAccessChain,
  verifyAuditChain,
} from '../../api/admin-api';
import type { AdminClient } from '../../api/client';
import type { AccessEvent, AuditEvent, ChainVerification, Role } from '../../api/types';
import { formatCount } from '../../format';
import { actorLabel } from '../../session/actors';
import { useSession } from '../../session/session';
import { RoleBadge } from '../../ui/badges';
import { formFields } from '../../ui/forms';
import { LoadOlder } from '../../ui/load-older';
import { usePagedList } from '../../ui/paged-list';
import { Async, Empty, useResource } from '../../ui/resource';
import { Time } from '../../ui/time';
import { Select } from '../../ui/select';

type Log = 'changes' | 'calls';

/**
 * The two hash-chained logs: every admin change (the audit trail) and every admin API call, reads included
 * (the access log), each with its chain verification.
 */
export function AuditPage() {
  const { api } = useSession();
  const [log, setLog] = useState<Log>('changes');
  // Token ids are what the logs store; a role that may not list tokens sees the ids.
  const [names] = useResource(() => tokenNames(api), []);
  const tokens = names.status === 'ready' ? names.data : new Map<string, string>();
  return (
    <>
      <header class="page-header section-header">
        <div>
          <h1>Audit trail</h1>
          <p class="muted">
            Who changed what, who looked at what, and hash chains that show whether anything was altered.
          </p>
        </div>
        <div class="segmented" role="group" aria-label="Log">
          <button
            type="button"
            class={log === 'changes' ? 'segment selected' : 'segment'}
            aria-pressed={log === 'changes'}
            onClick={() => setLog('changes')}
          >
            Changes
          </button>
          <button
            type="button"
            class={log === 'calls' ? 'segment selected' : 'segment'}
            aria-pressed={log === 'calls'}
            onClick={() => setLog('calls')}
          >
            Admin calls
          </button>
        </div>
      </header>
      {log === 'changes' ? <ChangesLog tokens={tokens} /> : <CallsLog tokens={tokens} />}
    </>
  );
}

async function tokenNames(api: AdminClient): Promise<Map<string, string>> {
  try {
    return new Map((await listAdminTokens(api)).data.map((token) => [token.id, token.name]));
  } catch {
    return new Map();
  }
}

function ChainStatus({ verify, what }: { verify: () => Promise<ChainVerification>; what: string }) {
  const [verification, reload] = useResource(verify, []);
  return (
    <section class="card" aria-label="Chain verification">
      <Async value={verification} loading="Verifying the hash chain…" retry={reload}>
        {(result) =>
          result.ok ? (
            <p class="chain chain-ok" data-testid="chain-status">
              ✓ Chain verified: {formatCount(result.count, what)}, each hash matching its content and the one before it.
            </p>
          ) : (
            <p class="chain chain-broken" data-testid="chain-status">
              ✗ Chain broken at {what} #{result.first_bad_id}: one was changed, inserted or removed outside the gateway.
            </p>
          )
        }
      </Async>
      <button type="button" class="button small" onClick={reload}>
        Verify again
      </button>
    </section>
  );
}

function Actor({ actor, role, tokens }: { actor: string; role: Role | null; tokens: Map<string, string> }) {
  return (
    <>
      <span title={actor}>{actorLabel(actor, tokens)}</span> {role && <RoleBadge role={role} />}
    </>
  );
}

function FilterForm({
  onFilter,
  children,
}: {
  onFilter: (fields: Record<string, string>) => void;
  children: ComponentChildren;
}) {
  return (
    <form class="card filters" aria-label="Filters" onSubmit={(event) => onFilter(formFields(event))}>
      {children}
      <div class="actions">
        <button type="submit" class="button primary">
          Filter
        </button>
      </div>
    </form>
  );
}

function ChangesLog({ tokens }: { tokens: Map<string, string> }) {
  const { api } = useSession();
  const [filter, setFilter] = useState<AuditFilter>({});
  return (
    <>
      <ChainStatus verify={() => verifyAuditChain(api)} what="change" />
      <FilterForm
        onFilter={(fields) =>
          setFilter({ actor: fields.actor, action: fields.action, target_type: fields.target_type })
        }
      >
        <label>
          Actor
          <input name="actor" placeholder="token id or env:SWITCHYARD_ADMIN_KEY" />
        </label>
        <label>
          Action
          <input name="action" placeholder="e.g. key.rotate" />
        </label>
        <label>
          Target type
          <input name="target_type" placeholder="team, project, key, config…" />
        </label>
      </FilterForm>
      <Changes key={JSON.stringify(filter)} filter={filter} tokens={tokens} />
    </>
  );
}

function Changes({ filter, tokens }: { filter: AuditFilter; tokens: Map<string, string> }) {
  const { api } = useSession();
  const list = usePagedList((cursor: number | null) => listAuditEvents(api, filter, cursor));
  return (
    <section class="card" aria-label="Changes">
      <Async value={list.first} loading="Loading audit events…" retry={list.reload}>
        {() =>
          list.items.length === 0 ? (
            <Empty title="No change matches." />
          ) : (
            <>
              <table class="table" data-testid="audit-events">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Time</th>
                    <th>Actor</th>
                    <th>Action</th>
                    <th>Target</th>
                    <th>Change</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((event) => (
                    <tr key={event.id}>
                      <td>{event.id}</td>
                      <td>
                        <Time iso={event.occurred_at} />
                      </td>
                      <td>
                        <Actor actor={event.actor} role={event.actor_role} tokens={tokens} />
                      </td>
                      <td>
                        <code>{event.action}</code>
                      </td>
                      <td>
                        {event.target_type} {targetName(event)} <code class="muted">{event.target_id ?? ''}</code>
                      </td>
                      <td>
                        <Change event={event} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <LoadOlder list={list} label="Load older changes" />
            </>
          )
        }
      </Async>
    </section>
  );
}

/** The name of the team, project, key or token changed, from the views the event stored. */
function targetName(event: AuditEvent) {
  const named = [event.after, event.before].find(
    (view): view is { name: string } => typeof (view as { name?: unknown } | null)?.name === 'string',
  );
  return named ? <strong>{named.name}</strong> : null;
}

/** Before and after, as the audit trail stored them (views: never a key or a hash). */
function Change({ event }: { event: AuditEvent }) {
  if (event.before == null && event.after == null) return <span class="muted">—</span>;
  return (
    <details>
      <summary>Show</summary>
      {event.before != null && (
        <>
          <h4>Before</h4>
          <pre class="raw">{JSON.stringify(event.before, null, 2)}</pre>
        </>
      )}
      {event.after != null && (
        <>
          <h4>After</h4>
          <pre class="raw">{JSON.stringify(event.after, null, 2)}</pre>
        </>
      )}
    </details>
  );
}

function CallsLog({ tokens }: { tokens: Map<string, string> }) {
  const { api } = useSession();
  const [filter, setFilter] = useState<AccessFilter>({});
  return (
    <>
      <ChainStatus verify={() => verifyAccessChain(api)} what="call" />
      <FilterForm
        onFilter={(fields) =>
          setFilter({ actor: fields.actor, outcome: fields.outcome as AccessFilter['outcome'], route: fields.route })
        }
      >
        <label>
          Actor
          <input name="actor" placeholder="token id or env:SWITCHYARD_ADMIN_KEY" />
        </label>
        <label>
          Outcome
          <Select name="outcome" initial={''}>
            <option value="">Any</option>
            <option value="allowed">allowed</option>
            <option value="refused">refused</option>
          </Select>
        </label>
        <label>
          Route
          <input name="route" placeholder="e.g. /admin/requests/export" />
        </label>
      </FilterForm>
      <Calls key={JSON.stringify(filter)} filter={filter} tokens={tokens} />
    </>
  );
}

function Calls({ filter, tokens }: { filter: AccessFilter; tokens: Map<string, string> }) {
  const { api } = useSession();
  const list = usePagedList((cursor: number | null) => listAccessEvents(api, filter, cursor));
  return (
    <section class="card" aria-label="Admin calls">
      <Async value={list.first} loading="Loading admin calls…" retry={list.reload}>
        {() =>
          list.items.length === 0 ? (
            <Empty title="No admin call matches." />
          ) : (
            <>
              <table class="table" data-testid="access-events">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>Time</th>
                    <th>Actor</th>
                    <th>Outcome</th>
                    <th>Call</th>
                    <th>Parameters</th>
                  </tr>
                </thead>
                <tbody>
                  {list.items.map((call) => (
                    <tr key={call.id}>
                      <td>{call.id}</td>
                      <td>
                        <Time iso={call.occurred_at} />
                      </td>
                      <td>
                        <Actor actor={call.actor} role={call.actor_role} tokens={tokens} />
                      </td>
                      <td>
                        <span class={call.outcome === 'allowed' ? 'badge status-ok' : 'badge status-server'}>
                          {call.outcome}
                        </span>
                      </td>
                      <td>
                        <code>
                          {call.method} {call.route}
                        </code>
                      </td>
                      <td>
                        <CallParameters call={call} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <LoadOlder list={list} label="Load older calls" />
            </>
          )
        }
      </Async>
    </section>
  );
}

function CallParameters({ call }: { call: AccessEvent }) {
  const parts = Object.entries({ ...call.params, ...call.query }).map(([name, value]) => `${name}=${value}`);
  return parts.length ? <code class="muted">{parts.join(' ')}</code> : <span class="muted">—</span>;
}
