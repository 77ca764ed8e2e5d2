/** What an alert is about. Detectors add kinds here, in the migration's CHECK and in the README. */
export const ALERT_KINDS = ['budget_threshold', 'spend_anomaly', 'auth_failures', 'new_ip', 'new_model'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_SUBJECT_TYPES = ['team', 'project', 'key'] as const;
export type AlertSubjectType = (typeof ALERT_SUBJECT_TYPES)[number];

/** The object an alert is about; a team admin sees the alerts of its teams' objects. */
export interface AlertSubject {
  type: AlertSubjectType;
  id: string;
}

/**
 * A condition to report. `details` are figures, ids, model names, masked key ids and IPs — never a secret
 * nor prompt text: they are sent to every webhook and shown to admins as they are.
 */
export interface NewAlert {
  kind: AlertKind;
  subject: AlertSubject;
  details: Record<string, unknown>;
  /**
   * The condition's identity: the same key raised again (by this instance or another) is the same alert and
   * is not stored or sent twice. E.g. budget id + period start + threshold.
   */
  dedupe_key: string;
}

/** An alert as stored, with its delivery state across the configured webhooks. */
export interface Alert {
  id: string;
  kind: AlertKind;
  subject: AlertSubject;
  teamId: string | null;
  projectId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  deliveries: AlertDelivery[];
}

/** One webhook's copy of an alert in the outbox. */
export interface AlertDelivery {
  /** A hash of the webhook's URL (the URL may hold a token, so it is never stored). */
  webhookId: string;
  attempts: number;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  /** Why the last attempt failed: an HTTP status or a network error code, never a body or a URL. */
  lastError: string | null;
}

/** What each webhook receives as the JSON body of `POST url`. */
export interface AlertPayload {
  id: string;
  kind: AlertKind;
  created_at: string;
  subject: AlertSubject;
  details: Record<string, unknown>;
}
