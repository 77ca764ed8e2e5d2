import { useState } from 'preact/hooks';
import { acknowledgeAlert, AlertFilter, listAlerts } from '../../api/admin-api';
import { ALERT_KINDS, Alert } from '../../api/types';
import { actorLabel } from '../../session/actors';
import { useSession } from '../../session/session';
import { FormError } from '../../ui/dialog';
import { formFields } from '../../ui/forms';
import { asError, Async, Empty, useResource } from '../../ui/resource';
import { Time } from '../../ui/time';
import { Directory, loadDirectory } from '../directory';
import { ALERT_KIND_LABELS, AlertSubject, alertSummary, DeliveryState } from './alert-cells';
import { Select } from '../../ui/select';

/** The API's largest page; the list is newest first, so older alerts are reached by narrowing the filter. */
const LIMIT = 500;

/**
 * Budget thresholds and anomalies the gateway raised, newest first, with their webhook delivery and who
 * acknowledged them. A team admin sees its teams' alerts; an auditor sees every alert and acknowledges none.
 */
export function AlertsPage() {
  const { api } = useSession();
  const [filter, setFilter] = useState<AlertFilter>({ acknowledged: 'false' });
  const [directory, reloadDirectory] = useResource(() => loadDirectory(api), []);
  return (
    <>
      <header class="page-header">
        <h1>Alerts</h1>
        <p class="muted">Budget thresholds and unusual traffic, as sent to the configured webhooks.</p>
      </header>
      <form
        class="card filters"
        aria-label="Filters"
        onSubmit={(event) => {
          const fields = formFields(event);
          setFilter({
            kind: fields.kind as AlertFilter['kind'],
            acknowledged: fields.acknowledged as AlertFilter['acknowledged'],
          });
        }}
      >
        <label>
          Kind
          <Select name="kind" initial={filter.kind ?? ''}>
            <option value="">Any</option>
            {ALERT_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {ALERT_KIND_LABELS[kind]}
              </option>
            ))}
          </Select>
        </label>
        <label>
          State
          <Select name="acknowledged" initial={filter.acknowledged ?? ''}>
            <option value="false">To look at</option>
            <option value="true">Acknowledged</option>
            <option value="">All</option>
          </Select>
        </label>
        <div class="actions">
          <button type="submit" class="button primary">
            Filter
          </button>
        </div>
      </form>
      <Async value={directory} loading="Loading teams, projects and keys…" retry={reloadDirectory}>
        {(names) => <AlertList key={JSON.stringify(filter)} filter={filter} directory={names} />}
      </Async>
    </>
  );
}

function AlertList({ filter, directory }: { filter: AlertFilter; directory: Directory }) {
  const { api } = useSession();
  const [alerts, reload] = useResource(() => listAlerts(api, filter, LIMIT), []);
  return (
    <section class="card" aria-label="Alert list">
      <Async value={alerts} loading="Loading alerts…" retry={reload}>
        {(list) =>
          list.data.length === 0 ? (
            <Empty title={filter.acknowledged === 'false' ? 'No alert to look at.' : 'No alert matches.'}>
              Alerts appear here when a budget passes a threshold or traffic looks unusual.
            </Empty>
          ) : (
            <AlertsTable alerts={list.data} directory={directory} onAcknowledged={reload} />
          )
        }
      </Async>
    </section>
  );
}

export function AlertsTable({
  alerts,
  directory,
  onAcknowledged,
}: {
  alerts: Alert[];
  directory: Directory;
  onAcknowledged: () => void;
}) {
  return (
    <table class="table" data-testid="alerts">
      <thead>
        <tr>
          <th>Time</th>
          <th>Kind</th>
          <th>Subject</th>
          <th>What happened</th>
          <th>Webhooks</th>
          <th>Acknowledged</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => (
          <tr key={alert.id} data-alert-id={alert.id}>
            <td>
              <Time iso={alert.created_at} />
            </td>
            <td>
              <span class="badge fallback">{ALERT_KIND_LABELS[alert.kind]}</span>
            </td>
            <td>
              <AlertSubject alert={alert} directory={directory} />
            </td>
            <td>
              {alertSummary(alert)}
              <details>
                <summary class="muted">Details</summary>
                <pre class="raw">{JSON.stringify(alert.details, null, 2)}</pre>
              </details>
            </td>
            <td>
              <DeliveryState alert={alert} />
            </td>
            <td>
              <Acknowledgement alert={alert} onAcknowledged={onAcknowledged} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Who acknowledged the alert and when; or the button, for roles that may change things. */
function Acknowledgement({ alert, onAcknowledged }: { alert: Alert; onAcknowledged: () => void }) {
  const { api, can } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  if (alert.acknowledged_at) {
    return (
      <span>
        <Time iso={alert.acknowledged_at} />
        <div class="muted">by {actorLabel(alert.acknowledged_by ?? '')}</div>
      </span>
    );
  }
  if (!can.write) return <span class="muted">not yet</span>;
  const acknowledge = async () => {
    setBusy(true);
    setError(null);
    try {
      await acknowledgeAlert(api, alert.id);
      onAcknowledged();
    } catch (failure) {
      setError(asError(failure));
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="button small" disabled={busy} onClick={() => void acknowledge()}>
        Acknowledge
      </button>
      <FormError error={error} />
    </>
  );
}
