import { useState } from 'preact/hooks';
import { findBalance, getRateLimits, removeBudget, setAccess, setBudget, setRateLimits } from '../../api/admin-api';
import { AllowList, BUDGET_PERIODS, BudgetPeriod, OnAnomaly, ScopeKind } from '../../api/types';
import { formatCount } from '../../format';
import { useSession } from '../../session/session';
import { BudgetMeter } from '../../ui/budget-meter';
import { Dialog } from '../../ui/dialog';
import { formFields, listText, parseList } from '../../ui/forms';
import { Async, useResource } from '../../ui/resource';
import { Select } from '../../ui/select';
import { SaveOutcome } from '../../ui/save-outcome';
import { useSave } from '../../ui/use-save';
import { AllowListSummary } from './allow-lists';
import { AnomalyForm } from './anomaly-form';

/** A team, project or key whose budget, rate limits and (projects, keys) allow-lists are edited. */
export interface Scope {
  kind: ScopeKind;
  id: string;
  name: string;
  /** Projects and keys: their current allow-lists (keys also `allowed_ips`). */
  access?: { models: AllowList; tiers: AllowList; allowed_ips?: AllowList };
  /** Projects: what anomaly detection does about them. */
  onAnomaly?: OnAnomaly;
}

const KIND_LABELS: Record<ScopeKind, string> = { teams: 'team', projects: 'project', keys: 'key' };

/**
 * Budget, rate limits, allow-lists and (projects) anomaly action of one scope; read-only for roles that may not
 * change them.
 */
export function ScopeSettingsDialog({
  scope,
  onClose,
  onSaved,
}: {
  scope: Scope;
  onClose: () => void;
  onSaved: () => void;
}) {
  return (
    <Dialog title={`${scope.name}: budget, limits and access`} onClose={onClose} wide>
      <BudgetForm scope={scope} />
      <RateLimitForm scope={scope} />
      {scope.access && scope.kind !== 'teams' && <AccessForm scope={scope} onSaved={onSaved} />}
      {scope.kind === 'projects' && scope.onAnomaly && (
        <AnomalyForm projectId={scope.id} initial={scope.onAnomaly} onSaved={onSaved} />
      )}
    </Dialog>
  );
}

function BudgetForm({ scope }: { scope: Scope }) {
  const { api, can } = useSession();
  const [balance, reload] = useResource(() => findBalance(api, scope.kind, scope.id), [scope.id]);
  const save = useSave();
  const submit = (event: Event) => {
    const fields = formFields(event);
    void save.run(async () => {
      await setBudget(api, scope.kind, scope.id, Number(fields.limit_usd), fields.period as BudgetPeriod);
      reload();
    }, 'Budget saved.');
  };
  const remove = () =>
    void save.run(async () => {
      await removeBudget(api, scope.kind, scope.id);
      reload();
    }, 'Budget removed.');

  return (
    <section class="settings-section" aria-labelledby="budget-title">
      <h3 id="budget-title">Budget</h3>
      <Async value={balance} loading="Loading the budget…" retry={reload}>
        {(current) => (
          <>
            {current ? (
              <BudgetMeter balance={current} />
            ) : (
              <p class="muted">No budget: this {KIND_LABELS[scope.kind]} may spend without limit.</p>
            )}
            {can.write && (
              <form class="inline-form" onSubmit={submit} aria-label="Budget">
                <label>
                  Limit (USD)
                  <input
                    name="limit_usd"
                    type="number"
                    min="0"
                    step="0.000001"
                    required
                    defaultValue={current ? String(current.limit_usd) : ''}
                  />
                </label>
                <label>
                  Period
                  <Select name="period" initial={current?.period ?? 'monthly'}>
                    {BUDGET_PERIODS.map((period) => (
                      <option key={period} value={period}>
                        {period}
                      </option>
                    ))}
                  </Select>
                </label>
                <button type="submit" class="button primary" disabled={save.busy}>
                  Save budget
                </button>
                {current && (
                  <button type="button" class="button danger" onClick={remove} disabled={save.busy}>
                    Remove budget
                  </button>
                )}
              </form>
            )}
          </>
        )}
      </Async>
      <SaveOutcome save={save} />
    </section>
  );
}

function RateLimitForm({ scope }: { scope: Scope }) {
  const { api, can } = useSession();
  const [limits, reload] = useResource(() => getRateLimits(api, scope.kind, scope.id), [scope.id]);
  const save = useSave();
  const perMinute = (text: string | undefined) => (text ? Number(text) : null);
  const submit = (event: Event) => {
    const fields = formFields(event);
    void save.run(async () => {
      await setRateLimits(api, scope.kind, scope.id, { rpm: perMinute(fields.rpm), tpm: perMinute(fields.tpm) });
      reload();
    }, 'Rate limits saved.');
  };
  const useDefaults = () =>
    void save.run(async () => {
      await setRateLimits(api, scope.kind, scope.id, {});
      reload();
    }, 'Back to the configured defaults.');

  return (
    <section class="settings-section" aria-labelledby="limits-title">
      <h3 id="limits-title">Rate limits</h3>
      <Async value={limits} loading="Loading rate limits…" retry={reload}>
        {(current) => (
          <>
            <p>
              In force: {current.rpm === null ? 'no request limit' : formatCount(current.rpm, 'request') + '/min'} ·{' '}
              {current.tpm === null ? 'no token limit' : formatCount(current.tpm, 'token') + '/min'}
            </p>
            {can.write && (
              <form class="inline-form" onSubmit={submit} aria-label="Rate limits">
                <label>
                  Requests/min
                  <input
                    name="rpm"
                    type="number"
                    min="1"
                    step="1"
                    placeholder="no limit"
                    defaultValue={current.rpm?.toString() ?? ''}
                  />
                </label>
                <label>
                  Tokens/min
                  <input
                    name="tpm"
                    type="number"
                    min="1"
                    step="1"
                    placeholder="no limit"
                    defaultValue={current.tpm?.toString() ?? ''}
                  />
                </label>
                <button type="submit" class="button primary" disabled={save.busy}>
                  Save limits
                </button>
                <button type="button" class="button" onClick={useDefaults} disabled={save.busy}>
                  Use defaults
                </button>
              </form>
            )}
          </>
        )}
      </Async>
      <SaveOutcome save={save} />
    </section>
  );
}

function AccessForm({ scope, onSaved }: { scope: Scope; onSaved: () => void }) {
  const { api, can } = useSession();
  const [access, setCurrent] = useState(scope.access!);
  const save = useSave();
  const isKey = scope.kind === 'keys';
  const submit = (event: Event) => {
    const fields = formFields(event);
    const next = {
      models: parseList(fields.models),
      tiers: parseList(fields.tiers),
      ...(isKey ? { allowed_ips: parseList(fields.allowed_ips) } : {}),
    };
    void save.run(async () => {
      await setAccess(api, scope.kind as 'projects' | 'keys', scope.id, next);
      setCurrent(next);
      onSaved();
    }, 'Allow-lists saved.');
  };

  return (
    <section class="settings-section" aria-labelledby="access-title">
      <h3 id="access-title">Allow-lists</h3>
      <p>
        <AllowListSummary models={access.models} tiers={access.tiers} ips={isKey ? access.allowed_ips : undefined} />
      </p>
      {can.write && (
        <form class="stacked-form" onSubmit={submit} aria-label="Allow-lists">
          <label>
            Models (names or aliases, comma-separated; empty: any)
            <input name="models" defaultValue={listText(access.models)} />
          </label>
          <label>
            Tiers (empty: any)
            <input name="tiers" defaultValue={listText(access.tiers)} />
          </label>
          {isKey && (
            <label>
              Allowed IPs or CIDR ranges (empty: anywhere)
              <input name="allowed_ips" defaultValue={listText(access.allowed_ips ?? null)} />
            </label>
          )}
          <div class="actions">
            <button type="submit" class="button primary" disabled={save.busy}>
              Save allow-lists
            </button>
          </div>
        </form>
      )}
      <SaveOutcome save={save} />
    </section>
  );
}
