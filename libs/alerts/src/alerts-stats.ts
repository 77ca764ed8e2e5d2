import { Injectable } from '@nestjs/common';
import { ALERT_KINDS, AlertKind } from './alert';

/** This instance's alert counters since start, for metrics (read at scrape time). */
@Injectable()
export class AlertsStats {
  /** Alerts this instance stored, by kind (a dedupe-key repeat is not counted). */
  readonly raised: Record<AlertKind, number> = Object.fromEntries(ALERT_KINDS.map((kind) => [kind, 0])) as Record<
    AlertKind,
    number
  >;
  /** Webhook attempts: taken by the receiver (2xx), or failed (retried later). */
  readonly deliveries = { delivered: 0, failed: 0 };
  /** Alerts lost: the database was unreachable and the in-memory buffer full, or the insert failed for good. */
  dropped = 0;
}
