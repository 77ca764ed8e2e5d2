import { findBalance, getRateLimits } from '../../api/admin-api';
import type { ScopeKind } from '../../api/types';
import { formatCount } from '../../format';
import { useSession } from '../../session/session';
import { BudgetMeter } from '../../ui/budget-meter';
import { Async, useResource } from '../../ui/resource';

/** A team's or project's budget and rate limits at a glance. `version` changes when they were edited. */
export function ScopeSummary({ kind, id, version }: { kind: ScopeKind; id: string; version: number }) {
  const { api } = useSession();
  const [summary, reload] = useResource(async () => {
    const [balance, limits] = await Promise.all([findBalance(api, kind, id), getRateLimits(api, kind, id)]);
    return { balance, limits };
  }, [kind, id, version]);
  return (
    <Async value={summary} loading="Loading budget…" retry={reload}>
      {({ balance, limits }) => (
        <div class="scope-summary">
          {balance ? <BudgetMeter balance={balance} /> : <span class="muted">No budget</span>}
          <span class="muted">
            {limits.rpm === null ? 'no request limit' : `${formatCount(limits.rpm)} requests/min`} ·{' '}
            {limits.tpm === null ? 'no token limit' : `${formatCount(limits.tpm)} tokens/min`}
          </span>
        </div>
      )}
    </Async>
  );
}
