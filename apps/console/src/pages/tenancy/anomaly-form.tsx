import { useState } from 'preact/hooks';
import { updateProject } from '../../api/admin-api';
import { ON_ANOMALY_ACTIONS, OnAnomaly } from '../../api/types';
import { useSession } from '../../session/session';
import { formFields } from '../../ui/forms';
import { Select } from '../../ui/select';
import { SaveOutcome } from '../../ui/save-outcome';
import { useSave } from '../../ui/use-save';

/** What each `on_anomaly` setting means to the people whose keys it may stop. */
export const ON_ANOMALY_LABELS: Record<OnAnomaly, string> = {
  none: 'alert only',
  suspend: 'alert and suspend the anomalous keys (or the project)',
};

/** A project's `on_anomaly`, changed with PATCH /admin/projects/{id}; read-only for roles that may not change it. */
export function AnomalyForm({
  projectId,
  initial,
  onSaved,
}: {
  projectId: string;
  initial: OnAnomaly;
  onSaved: () => void;
}) {
  const { api, can } = useSession();
  const [current, setCurrent] = useState(initial);
  const save = useSave();
  const submit = (event: Event) => {
    const onAnomaly = formFields(event).on_anomaly as OnAnomaly;
    void save.run(async () => {
      setCurrent((await updateProject(api, projectId, { on_anomaly: onAnomaly })).on_anomaly);
      onSaved();
    }, 'Anomaly action saved.');
  };

  return (
    <section class="settings-section" aria-labelledby="anomaly-title">
      <h3 id="anomaly-title">Anomaly detection</h3>
      <p>
        On a spend or traffic anomaly: <strong data-testid="on-anomaly">{ON_ANOMALY_LABELS[current]}</strong>.
      </p>
      {can.write && (
        <form class="inline-form" onSubmit={submit} aria-label="Anomaly detection">
          <label>
            On anomaly
            <Select name="on_anomaly" initial={current}>
              {ON_ANOMALY_ACTIONS.map((action) => (
                <option key={action} value={action}>
                  {action} — {ON_ANOMALY_LABELS[action]}
                </option>
              ))}
            </Select>
          </label>
          <button type="submit" class="button primary" disabled={save.busy}>
            Save anomaly action
          </button>
        </form>
      )}
      <SaveOutcome save={save} />
    </section>
  );
}
