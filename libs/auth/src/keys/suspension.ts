import { GatewayError } from '@app/common';

/** The actor the anomaly detectors suspend keys and projects as, in the columns and the audit trail. */
export const ANOMALY_DETECTION_ACTOR = 'system:anomaly-detection';

/** Why a key is refused although it is valid: it, or its whole project, is suspended until an admin resumes it. */
export interface Suspension {
  level: 'key' | 'project';
  /** The key's or the project's id: what the admin resumes. */
  id: string;
  at: Date;
  reason: string | null;
  by: string | null;
}

/** What the fields of a suspended row say, or null when it is not suspended. */
export function suspensionOf(
  level: Suspension['level'],
  id: string,
  row: { at: Date | null; reason: string | null; by: string | null },
): Suspension | null {
  return row.at ? { level, id, at: row.at, reason: row.reason, by: row.by } : null;
}

/** The 403 a suspended key gets: who suspended it, when, why, and how to lift it. */
export function suspendedKeyError(suspension: Suspension): GatewayError {
  const what = suspension.level === 'key' ? 'This key was' : "This key's project was";
  const who =
    suspension.by === ANOMALY_DETECTION_ACTOR || !suspension.by ? "Switchyard's anomaly detection" : suspension.by;
  const why = suspension.reason ? `: ${suspension.reason}` : '';
  const path = suspension.level === 'key' ? 'keys' : 'projects';
  return new GatewayError(
    'key_suspended',
    `${what} suspended by ${who} at ${suspension.at.toISOString()}${why}. ` +
      `An admin can resume it with POST /admin/${path}/${suspension.id}/resume.`,
  );
}
