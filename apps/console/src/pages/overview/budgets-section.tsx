import { findBalance, listProjects, listTeams } from '../../api/admin-api';
import type { Balance } from '../../api/types';
import { budgetUsed, formatUsd } from '../../format';
import { Link } from '../../router';
import { useSession } from '../../session/session';
import { BudgetMeter } from '../../ui/budget-meter';
import { Async, Empty, useResource } from '../../ui/resource';
import { Time } from '../../ui/time';
import { mapLimited } from '../directory';

interface BudgetRow {
  kind: 'Team' | 'Project';
  name: string;
  teamId: string;
  /** The team a project belongs to, for context. */
  teamName: string | null;
  balance: Balance | null;
}

/** One balance call per team and project (the API has no bulk read), a few at a time. */
async function loadBudgets(api: Parameters<typeof findBalance>[0]): Promise<BudgetRow[]> {
  const [teams, projects] = await Promise.all([listTeams(api), listProjects(api)]);
  const teamNames = new Map(teams.data.map((team) => [team.id, team.name]));
  const scopes = [
    ...teams.data.map((team) => ({
      kind: 'Team' as const,
      path: 'teams' as const,
      id: team.id,
      name: team.name,
      teamId: team.id,
    })),
    ...projects.data.map((project) => ({
      kind: 'Project' as const,
      path: 'projects' as const,
      id: project.id,
      name: project.name,
      teamId: project.team_id,
    })),
  ];
  return mapLimited(scopes, 6, async (scope) => ({
    kind: scope.kind,
    name: scope.name,
    teamId: scope.teamId,
    teamName: scope.kind === 'Project' ? (teamNames.get(scope.teamId) ?? null) : null,
    balance: await findBalance(api, scope.path, scope.id),
  }));
}

export function BudgetsSection() {
  const { api } = useSession();
  const [rows, reload] = useResource(() => loadBudgets(api), []);
  return (
    <section class="card" aria-labelledby="budgets-title">
      <h2 id="budgets-title">Spend against budgets</h2>
      <Async value={rows} loading="Loading budgets…" retry={reload}>
        {(all) => <BudgetTable rows={all} />}
      </Async>
    </section>
  );
}

function BudgetTable({ rows }: { rows: BudgetRow[] }) {
  if (rows.length === 0) {
    return (
      <Empty title="No teams yet.">
        <Link to="/teams">Create a team</Link>, then give it projects, keys and budgets.
      </Empty>
    );
  }
  const budgeted = rows
    .filter((row): row is BudgetRow & { balance: Balance } => row.balance !== null)
    .sort((a, b) => budgetUsed(b.balance) - budgetUsed(a.balance));
  const unbudgeted = rows.length - budgeted.length;
  return (
    <>
      {budgeted.length === 0 ? (
        <Empty title="No budgets set.">
          Set one on a team or project under <Link to="/teams">Teams &amp; keys</Link>.
        </Empty>
      ) : (
        <table class="table" data-testid="budgets">
          <thead>
            <tr>
              <th>Scope</th>
              <th>Used</th>
              <th class="number">Remaining</th>
              <th>Resets</th>
            </tr>
          </thead>
          <tbody>
            {budgeted.map((row) => (
              <tr key={`${row.kind}:${row.name}:${row.teamId}`}>
                <td>
                  <span class="muted">{row.kind}</span> <Link to={`/teams/${row.teamId}`}>{row.name}</Link>
                  {row.teamName && <span class="muted"> in {row.teamName}</span>}
                </td>
                <td>
                  <BudgetMeter balance={row.balance} />
                </td>
                <td class="number">{formatUsd(row.balance.remaining_usd)}</td>
                <td>{row.balance.resets_at ? <Time iso={row.balance.resets_at} /> : 'never (total)'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {unbudgeted > 0 && budgeted.length > 0 && (
        <p class="muted">
          {unbudgeted} {unbudgeted === 1 ? 'team or project has' : 'teams and projects have'} no budget.
        </p>
      )}
    </>
  );
}
