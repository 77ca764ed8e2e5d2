import { listAlerts } from '../../api/admin-api';
import { Link } from '../../router';
import { useSession } from '../../session/session';
import { Async, Empty, useResource } from '../../ui/resource';
import { AlertsTable } from '../alerts/alerts-page';
import { loadDirectory } from '../directory';

const SHOWN = 5;

/** The newest alerts nobody has acknowledged yet; the Alerts page has the rest. */
export function RecentAlertsSection() {
  const { api } = useSession();
  const [recent, reload] = useResource(async () => {
    const [alerts, directory] = await Promise.all([
      listAlerts(api, { acknowledged: 'false' }, SHOWN),
      loadDirectory(api),
    ]);
    return { alerts: alerts.data, directory };
  }, []);
  return (
    <section class="card" aria-labelledby="alerts-title">
      <div class="section-header">
        <h2 id="alerts-title">Recent alerts</h2>
        <Link to="/alerts">All alerts →</Link>
      </div>
      <Async value={recent} loading="Loading alerts…" retry={reload}>
        {({ alerts, directory }) =>
          alerts.length === 0 ? (
            <Empty title="No alert to look at.">Budgets past a threshold and unusual traffic show up here.</Empty>
          ) : (
            <AlertsTable alerts={alerts} directory={directory} onAcknowledged={reload} />
          )
        }
      </Async>
    </section>
  );
}
