import { useState } from 'preact/hooks';
import { AuditFilter, listAdminTokens, listAuditEvents, verifyAuditChain } from '../../api/admin-api';
import type { AdminClient } from '../../api/client';
import type { AuditEvent } from '../../api/types';
import { formatCount } from '../../format';
import { useSession } from '../../session/session';
import { RoleBadge } from '../../ui/badges';
import { FormError } from '../../ui/dialog';
import { formFields } from '../../ui/forms';
import { Async, asError, Empty, useResource } from '../../ui/resource';
import { Time } from '../../ui/time';

export function AuditPage() {
  const [filter, setFilter] = useState<AuditFilter>({});
  return (
    <>
      <header class="page-header">
        <h1>Audit trail</h1>
        <p class="muted">Every admin change, who made it, and a hash chain that shows whether anything was altered.</p>
      </header>
      <ChainStatus />
      <form
        class="card filters"
        aria-label="Filters"
        onSubmit={(event) => {
          const fields = formFields(event);
          setFilter({ actor: fields.actor, action: fields.action, target_type: fields.target_type });
        }}
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
        <div class="actions">
          <button type="submit" class="button primary">
            Filter
          </button>
        </div>
      </form>
      <Events key={JSON.stringify(filter)} filter={filter} />
    </>
  );
}

function ChainStatus() {
  const { api } = useSession();
  const [verification, reload] = useResource(() => verifyAuditChain(api), []);
  return (
    <section class="card" aria-label="Chain verification">
      <Async value={verification} loading="Verifying the hash chain…" retry={reload}>
        {(result) =>
          result.ok ? (
            <p class="chain chain-ok" data-testid="chain-status">
              ✓ Chain verified: {formatCount(result.count, 'event')}, each hash matching its content and the one before
              it.
            </p>
          ) : (
            <p class="chain chain-broken" data-testid="chain-status">
              ✗ Chain broken at event #{result.first_bad_id}: an event was changed, inserted or removed outside the
              gateway.
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

/** Names for token ids, where the gateway lists admin tokens (roles backend); empty otherwise. */
async function tokenNames(api: AdminClient): Promise<Map<string, string>> {
  try {
    return new Map((await listAdminTokens(api)).data.map((token) => [token.id, token.name]));
  } catch {
    return new Map();
  }
}

function actorLabel(actor: string, names: Map<string, string>): string {
  if (actor === 'env:SWITCHYARD_ADMIN_KEY') return 'Admin key (environment)';
  if (actor.startsWith('system:')) return `System (${actor.slice('system:'.length)})`;
  return names.get(actor) ?? actor;
}

function Events({ filter }: { filter: AuditFilter }) {
  const { api } = useSession();
  const [first, reload] = useResource(async () => {
    const [page, names] = await Promise.all([listAuditEvents(api, filter), tokenNames(api)]);
    return { page, names };
  }, []);
  const [older, setOlder] = useState<{ events: AuditEvent[]; cursor: number | null } | null>(null);
  const [moreError, setMoreError] = useState<Error | null>(null);
  return (
    <section class="card" aria-label="Events">
      <Async value={first} loading="Loading audit events…" retry={reload}>
        {({ page, names }) => {
          const events = [...page.data, ...(older?.events ?? [])];
          const cursor = older ? older.cursor : page.next_cursor;
          if (events.length === 0) return <Empty title="No audit events match." />;
          const loadMore = async () => {
            setMoreError(null);
            try {
              const next = await listAuditEvents(api, filter, cursor);
              setOlder({ events: [...(older?.events ?? []), ...next.data], cursor: next.next_cursor });
            } catch (failure) {
              setMoreError(asError(failure));
            }
          };
          return (
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
                  {events.map((event) => (
                    <tr key={event.id}>
                      <td>{event.id}</td>
                      <td>
                        <Time iso={event.occurred_at} />
                      </td>
                      <td>
                        <span title={event.actor}>{actorLabel(event.actor, names)}</span>{' '}
                        {event.actor_role && <RoleBadge role={event.actor_role} />}
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
              <FormError error={moreError} />
              {cursor !== null && (
                <button type="button" class="button" onClick={() => void loadMore()}>
                  Load older events
                </button>
              )}
            </>
          );
        }}
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
