import { useState } from 'preact/hooks';
import { createProject, createTeam, listProjects, listTeams } from '../../api/admin-api';
import type { Team } from '../../api/types';
import { Link, navigate } from '../../router';
import { useSession } from '../../session/session';
import { FormError } from '../../ui/dialog';
import { formFields } from '../../ui/forms';
import { Async, asError, Empty, useResource } from '../../ui/resource';
import { ProjectCard } from './project-card';
import { ScopeSettingsDialog } from './scope-settings-dialog';
import { ScopeSummary } from './scope-summary';

/** Teams on the left; the chosen team's budget, projects and keys on the right. */
export function TeamsPage({ teamId }: { teamId: string | null }) {
  const { api, can } = useSession();
  const [teams, reloadTeams] = useResource(() => listTeams(api), []);
  return (
    <>
      <header class="page-header">
        <h1>Teams, projects and keys</h1>
        {!can.write && <p class="notice">Read-only: your role can look, not change.</p>}
      </header>
      <Async value={teams} loading="Loading teams…" retry={reloadTeams}>
        {(list) => {
          const selected = list.data.find((team) => team.id === teamId) ?? (teamId ? undefined : list.data[0]);
          return (
            <div class="split">
              <aside class="card team-list" aria-label="Teams">
                <h2>Teams</h2>
                {list.data.length === 0 ? (
                  <Empty title="No teams yet." />
                ) : (
                  <ul>
                    {list.data.map((team) => (
                      <li key={team.id}>
                        <Link
                          to={`/teams/${team.id}`}
                          class="team-link"
                          aria-current={team.id === selected?.id ? 'page' : undefined}
                        >
                          {team.name}
                        </Link>
                      </li>
                    ))}
                  </ul>
                )}
                {can.createTeams && (
                  <NameForm
                    label="New team"
                    onCreate={async (name) => {
                      const team = await createTeam(api, name);
                      reloadTeams();
                      navigate(`/teams/${team.id}`);
                    }}
                  />
                )}
              </aside>
              {selected ? (
                <TeamPanel key={selected.id} team={selected} />
              ) : (
                <Empty title={teamId ? 'No such team, or not one of yours.' : 'Choose or create a team.'} />
              )}
            </div>
          );
        }}
      </Async>
    </>
  );
}

function TeamPanel({ team }: { team: Team }) {
  const { api, can } = useSession();
  const [projects, reloadProjects] = useResource(() => listProjects(api, team.id), [team.id]);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [version, setVersion] = useState(0);
  return (
    <section class="team-panel" aria-label={`Team ${team.name}`}>
      <div class="card">
        <header class="section-header">
          <h2>{team.name}</h2>
          <button type="button" class="button" onClick={() => setSettingsOpen(true)}>
            {can.write ? 'Team budget & limits' : 'Team budget & limits (read-only)'}
          </button>
        </header>
        <ScopeSummary kind="teams" id={team.id} version={version} />
      </div>
      <Async value={projects} loading="Loading projects…" retry={reloadProjects}>
        {(list) => (
          <>
            {list.data.length === 0 && <Empty title="This team has no projects yet." />}
            {list.data.map((project) => (
              <ProjectCard key={project.id} project={project} onProjectChanged={reloadProjects} />
            ))}
          </>
        )}
      </Async>
      {can.write && (
        <div class="card">
          <NameForm
            label="New project"
            onCreate={async (name) => {
              await createProject(api, team.id, name);
              reloadProjects();
            }}
          />
        </div>
      )}
      {settingsOpen && (
        <ScopeSettingsDialog
          scope={{ kind: 'teams', id: team.id, name: team.name }}
          onClose={() => {
            setSettingsOpen(false);
            setVersion((v) => v + 1);
          }}
          onSaved={() => undefined}
        />
      )}
    </section>
  );
}

/** A one-field form that creates something by name. */
function NameForm({ label, onCreate }: { label: string; onCreate: (name: string) => Promise<void> }) {
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    const form = event.currentTarget as HTMLFormElement;
    const { name } = formFields(event);
    setBusy(true);
    setError(null);
    try {
      await onCreate(name);
      form.reset();
    } catch (failure) {
      setError(asError(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form" onSubmit={(event) => void submit(event)} aria-label={label}>
      <label>
        {label}
        <input name="name" required maxLength={200} placeholder="Name" />
      </label>
      <button type="submit" class="button primary" disabled={busy}>
        Create
      </button>
      <FormError error={error} />
    </form>
  );
}
