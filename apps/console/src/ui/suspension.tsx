import type { Suspension } from '../api/types';
import { actorLabel } from '../session/actors';
import { Time } from './time';

/** Why a key or project is suspended, by whom and since when (UTC on hover); nothing when it is not. */
export function SuspensionDetails({ suspension }: { suspension: Suspension }) {
  if (!suspension.suspended_at) return null;
  return (
    <div class="suspension-details" data-testid="suspension">
      <span class="suspension-reason">{suspension.suspended_reason ?? 'No reason recorded.'}</span>{' '}
      <span class="muted">
        {suspension.suspended_by && <>by {actorLabel(suspension.suspended_by)}, </>}
        since <Time iso={suspension.suspended_at} />
      </span>
    </div>
  );
}
