import { useState } from 'preact/hooks';
import { createKey, NewKey } from '../../api/admin-api';
import { ENVIRONMENTS, Environment, IssuedKey, Project } from '../../api/types';
import { useSession } from '../../session/session';
import { Dialog, FormError } from '../../ui/dialog';
import { formFields, localInputToIso, parseList } from '../../ui/forms';
import { asError } from '../../ui/resource';
import { Select } from '../../ui/select';

interface NewKeyDialogProps {
  project: Project;
  onClose: () => void;
  onCreated: (issued: IssuedKey) => void;
}

export function NewKeyDialog({ project, onClose, onCreated }: NewKeyDialogProps) {
  const { api } = useSession();
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    const fields = formFields(event);
    const key: NewKey = {
      project_id: project.id,
      name: fields.name,
      environment: fields.environment as Environment,
    };
    // Absent rather than null: the API reads a missing list as "no limit" on creation.
    const models = parseList(fields.models);
    const tiers = parseList(fields.tiers);
    const ips = parseList(fields.allowed_ips);
    if (models) key.models = models;
    if (tiers) key.tiers = tiers;
    if (ips) key.allowed_ips = ips;
    const expires = localInputToIso(fields.expires_at);
    if (expires) key.expires_at = expires;
    if (fields.owner) key.owner = fields.owner;
    setBusy(true);
    setError(null);
    try {
      onCreated(await createKey(api, key));
    } catch (failure) {
      setError(asError(failure));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`New key in ${project.name}`} onClose={onClose}>
      <form class="stacked-form" onSubmit={(event) => void submit(event)} aria-label="New key">
        <label>
          Name
          <input name="name" required maxLength={200} placeholder="e.g. billing-service" />
        </label>
        <label>
          Environment
          <Select name="environment" initial={'production'}>
            {ENVIRONMENTS.map((environment) => (
              <option key={environment} value={environment}>
                {environment}
              </option>
            ))}
          </Select>
        </label>
        <label>
          Owner (a person or service; spend can be grouped by it)
          <input name="owner" maxLength={200} placeholder="e.g. alice@example.com" />
        </label>
        <label>
          Models (names or aliases, comma-separated; empty: any the project allows)
          <input name="models" />
        </label>
        <label>
          Tiers (empty: any)
          <input name="tiers" />
        </label>
        <label>
          Allowed IPs or CIDR ranges (empty: anywhere)
          <input name="allowed_ips" placeholder="e.g. 10.0.0.0/8" />
        </label>
        <label>
          Expires (your time zone; empty: never)
          <input name="expires_at" type="datetime-local" />
        </label>
        <FormError error={error} />
        <div class="actions">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
