import { useState } from 'preact/hooks';
import { listKeys, resumeKey, resumeProject, revokeKey, rotateKey } from '../../api/admin-api';
import type { GatewayKey, IssuedKey, Project } from '../../api/types';
import { useSession } from '../../session/session';
import { ConfirmDialog } from '../../ui/dialog';
import { Async, useResource } from '../../ui/resource';
import { SuspensionDetails } from '../../ui/suspension';
import { AllowListSummary } from './allow-lists';
import { ON_ANOMALY_LABELS } from './anomaly-form';
import { IssuedKeyDialog } from './issued-key-dialog';
import { KeyAction, KeysTable } from './keys-table';
import { NewKeyDialog } from './new-key-dialog';
import { Scope, ScopeSettingsDialog } from './scope-settings-dialog';
import { ScopeSummary } from './scope-summary';

type Open =
  | { dialog: 'new-key' }
  | { dialog: 'issued'; issued: IssuedKey }
  | { dialog: 'rotate' | 'revoke' | 'resume'; key: GatewayKey }
  | { dialog: 'resume-project' }
  | { dialog: 'settings'; scope: Scope }
  | null;

const keyScope = (key: GatewayKey): Scope => ({
  kind: 'keys',
  id: key.id,
  name: key.name,
  access: { models: key.models, tiers: key.tiers, allowed_ips: key.allowed_ips },
});

/**
 * A project: its budget, limits, allow-lists, anomaly action and suspension, and its keys with everything that
 * can be done to them.
 */
export function ProjectCard({ project, onProjectChanged }: { project: Project; onProjectChanged: () => void }) {
  const { api, can } = useSession();
  const [keys, reloadKeys] = useResource(() => listKeys(api, project.id), [project.id]);
  const [open, setOpen] = useState<Open>(null);
  const [version, setVersion] = useState(0);
  const close = () => setOpen(null);
  const projectScope: Scope = {
    kind: 'projects',
    id: project.id,
    name: project.name,
    access: { models: project.models, tiers: project.tiers },
    onAnomaly: project.on_anomaly,
  };

  const onKeyAction = (action: KeyAction, key: GatewayKey) =>
    setOpen(action === 'settings' ? { dialog: 'settings', scope: keyScope(key) } : { dialog: action, key });

  return (
    <article class="card project" aria-label={`Project ${project.name}`} data-project-id={project.id}>
      <header class="section-header">
        <div>
          <h3>{project.name}</h3>
          <AllowListSummary models={project.models} tiers={project.tiers} />
          <div class="muted">On anomaly: {ON_ANOMALY_LABELS[project.on_anomaly]}</div>
        </div>
        <div class="actions">
          <button type="button" class="button" onClick={() => setOpen({ dialog: 'settings', scope: projectScope })}>
            {can.write ? 'Budget & access' : 'Budget & access (read-only)'}
          </button>
          {can.write && (
            <button type="button" class="button primary" onClick={() => setOpen({ dialog: 'new-key' })}>
              New key
            </button>
          )}
        </div>
      </header>
      {project.suspended_at && (
        <div class="notice suspension-notice" data-testid="project-suspension">
          <div>
            <span class="badge key-suspended">suspended</span> Every key of this project is refused until the project is
            resumed. <SuspensionDetails suspension={project} />
          </div>
          {can.write && (
            <button type="button" class="button primary" onClick={() => setOpen({ dialog: 'resume-project' })}>
              Resume project
            </button>
          )}
        </div>
      )}
      <ScopeSummary kind="projects" id={project.id} version={version} />
      <Async value={keys} loading="Loading keys…" retry={reloadKeys}>
        {(list) => (
          <KeysTable keys={list.data} projectSuspended={project.suspended_at !== null} onAction={onKeyAction} />
        )}
      </Async>

      {open?.dialog === 'new-key' && (
        <NewKeyDialog
          project={project}
          onClose={close}
          onCreated={(issued) => {
            reloadKeys();
            setOpen({ dialog: 'issued', issued });
          }}
        />
      )}
      {open?.dialog === 'issued' && <IssuedKeyDialog issued={open.issued} onClose={close} />}
      {open?.dialog === 'rotate' && (
        <ConfirmDialog
          title={`Rotate ${open.key.name}?`}
          confirmLabel="Rotate key"
          onClose={close}
          onConfirm={async () => {
            const issued = await rotateKey(api, open.key.id);
            reloadKeys();
            setOpen({ dialog: 'issued', issued });
          }}
        >
          A new key with the same settings is issued and shown once; <code>{open.key.masked_key}</code> stops working at
          once.
        </ConfirmDialog>
      )}
      {open?.dialog === 'revoke' && (
        <ConfirmDialog
          title={`Revoke ${open.key.name}?`}
          confirmLabel="Revoke key"
          danger
          onClose={close}
          onConfirm={async () => {
            await revokeKey(api, open.key.id);
            reloadKeys();
            close();
          }}
        >
          Requests with <code>{open.key.masked_key}</code> are refused from now on (other gateway instances follow
          within seconds). This cannot be undone.
        </ConfirmDialog>
      )}
      {open?.dialog === 'resume' && (
        <ConfirmDialog
          title={`Resume ${open.key.name}?`}
          confirmLabel="Resume key"
          onClose={close}
          onConfirm={async () => {
            await resumeKey(api, open.key.id);
            reloadKeys();
            close();
          }}
        >
          Requests with <code>{open.key.masked_key}</code> are accepted again (other gateway instances follow within
          seconds). Anomaly detection does not suspend it again for the anomaly it reported; if the traffic stays that
          high for a whole window, it does.
        </ConfirmDialog>
      )}
      {open?.dialog === 'resume-project' && (
        <ConfirmDialog
          title={`Resume ${project.name}?`}
          confirmLabel="Resume project"
          onClose={close}
          onConfirm={async () => {
            await resumeProject(api, project.id);
            onProjectChanged();
            close();
          }}
        >
          The keys of {project.name} are accepted again (other gateway instances follow within seconds); keys suspended
          on their own stay suspended until resumed one by one. Anomaly detection does not suspend the project again for
          the anomaly it reported; if the traffic stays that high for a whole window, it does.
        </ConfirmDialog>
      )}
      {open?.dialog === 'settings' && (
        <ScopeSettingsDialog
          scope={open.scope}
          onClose={() => {
            close();
            setVersion((v) => v + 1);
          }}
          onSaved={() => (open.scope.kind === 'keys' ? reloadKeys() : onProjectChanged())}
        />
      )}
    </article>
  );
}
