import { useEffect, useState } from 'preact/hooks';
import { AdminClient } from './api/client';
import { AlertsPage } from './pages/alerts/alerts-page';
import { AuditPage } from './pages/audit/audit-page';
import { ConfigForbidden, ConfigPage } from './pages/config/config-page';
import { OverviewPage } from './pages/overview/overview-page';
import { RequestDetailPage } from './pages/requests/request-detail-page';
import { RequestsPage } from './pages/requests/requests-page';
import { TeamsPage } from './pages/tenancy/teams-page';
import { Link, matchPath, useLocation } from './router';
import { actorLabel } from './session/actors';
import { Abilities, identify } from './session/identity';
import { forgetToken, Session, SessionProvider, sessionOf, storedToken, storeToken } from './session/session';
import { SignIn } from './sign-in';
import { RoleBadge } from './ui/badges';
import { Empty, Loading } from './ui/resource';

const EXPIRED =
  'The gateway no longer accepts that token (revoked, rotated or expired). Sign in again with a valid one.';

export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [restoring, setRestoring] = useState(() => storedToken() !== null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = (reason: string | null) => {
    forgetToken();
    setSession(null);
    setNotice(reason);
  };

  const signIn = async (token: string) => {
    const identity = await identify(new AdminClient(token));
    storeToken(token);
    setNotice(null);
    setSession(sessionOf(new AdminClient(token, () => signOut(EXPIRED)), identity));
  };

  useEffect(() => {
    const token = storedToken();
    if (!token) return;
    signIn(token)
      .catch(() => signOut(EXPIRED))
      .finally(() => setRestoring(false));
  }, []);

  if (restoring) return <Loading label="Restoring your session…" />;
  if (!session) return <SignIn onSignIn={signIn} notice={notice} />;
  return (
    <SessionProvider value={session}>
      <Shell session={session} onSignOut={() => signOut(null)} />
    </SessionProvider>
  );
}

const NAVIGATION = [
  { to: '/', label: 'Overview', section: '', shown: () => true },
  { to: '/teams', label: 'Teams & keys', section: 'teams', shown: () => true },
  { to: '/requests', label: 'Requests', section: 'requests', shown: () => true },
  { to: '/alerts', label: 'Alerts', section: 'alerts', shown: () => true },
  { to: '/audit', label: 'Audit trail', section: 'audit', shown: (can: Abilities) => can.readAudit },
  { to: '/config', label: 'Configuration', section: 'config', shown: (can: Abilities) => can.readConfig },
];

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const location = useLocation();
  const section = location.path.split('/')[1] ?? '';
  return (
    <div class="shell">
      <nav class="sidebar" aria-label="Console">
        <div class="brand">Switchyard</div>
        {NAVIGATION.filter((item) => item.shown(session.can)).map((item) => (
          <Link
            key={item.to}
            to={item.to}
            class="nav-link"
            aria-current={
              item.section === section || (item.section === '' && section === 'overview') ? 'page' : undefined
            }
          >
            {item.label}
          </Link>
        ))}
        <div class="whoami">
          <span class="whoami-name">
            {actorLabel(session.identity.id, new Map([[session.identity.id, session.identity.name]]))}
          </span>
          <RoleBadge role={session.identity.role} />
          <button type="button" class="button small" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </nav>
      <main class="content">
        <Page path={location.path} query={location.query} can={session.can} />
      </main>
    </div>
  );
}

function Page({ path, query, can }: { path: string; query: URLSearchParams; can: Abilities }) {
  if (matchPath('/', path) || matchPath('/overview', path)) return <OverviewPage />;
  if (matchPath('/teams', path)) return <TeamsPage teamId={null} />;
  const team = matchPath('/teams/:teamId', path);
  if (team) return <TeamsPage teamId={team.teamId} />;
  if (matchPath('/requests', path)) return <RequestsPage query={query} />;
  const request = matchPath('/requests/:requestId', path);
  if (request) return <RequestDetailPage requestId={request.requestId} />;
  if (matchPath('/alerts', path)) return <AlertsPage />;
  if (matchPath('/audit', path)) {
    if (can.readAudit) return <AuditPage />;
    return <Empty title="The audit trail is for owners and auditors.">It holds every team's events.</Empty>;
  }
  if (matchPath('/config', path)) return can.readConfig ? <ConfigPage /> : <ConfigForbidden />;
  return (
    <Empty title="No such page">
      <Link to="/">Back to the overview</Link>
    </Empty>
  );
}
