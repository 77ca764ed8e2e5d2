import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock } from '@app/common';
import { DatabaseAvailability } from '@app/persistence';
import { ALERT_KINDS, ALERT_SUBJECT_TYPES, NewAlert } from './alert';
import { AlertsConfigSource } from './alerts-config.source';
import { alertsConfig } from './alerts.config';
import { AlertsStats } from './alerts-stats';
import { webhookId } from './delivery/webhook-id';
import { AlertStore } from './outbox/alert.store';

/** What `raise` did: stored it, found it already stored, kept it for later (database down), or lost it. */
export type RaiseOutcome = 'raised' | 'duplicate' | 'buffered' | 'dropped';

interface HeldAlert {
  alert: NewAlert;
  createdAt: Date;
}

/**
 * Raises alerts: the alert and one outbox row per configured webhook are stored together, once per
 * `dedupe_key` across every instance; the delivery worker sends them from there.
 *
 * `raise` never throws. While Postgres is unreachable alerts wait in memory (ALERTS_RAISE_BUFFER_MAX, with
 * the time they were raised) and are stored when it is back; past that bound they are dropped, counted in
 * `switchyard_alerts_dropped_total` and logged. Memory rather than disk: alerts come from detectors and
 * budget checks that re-observe their condition, so a lost one is raised again when it still holds.
 */
@Injectable()
export class AlertsService implements OnModuleInit {
  private readonly logger = new Logger(AlertsService.name);
  private held: HeldAlert[] = [];
  private draining?: Promise<void>;

  constructor(
    private readonly store: AlertStore,
    private readonly config: AlertsConfigSource,
    private readonly clock: Clock,
    private readonly database: DatabaseAvailability,
    private readonly stats: AlertsStats,
    @Inject(alertsConfig.KEY) private readonly settings: ConfigType<typeof alertsConfig>,
  ) {}

  onModuleInit(): void {
    this.database.onRecovery(() => void this.drain());
  }

  /** Alerts waiting for the database. */
  get backlog(): number {
    return this.held.length;
  }

  async raise(alert: NewAlert): Promise<RaiseOutcome> {
    const problem = invalid(alert);
    if (problem) {
      this.stats.dropped++;
      this.logger.error({ kind: alert.kind, dedupeKey: alert.dedupe_key, problem }, 'alert refused');
      return 'dropped';
    }
    return this.persist({ alert, createdAt: this.clock.now() });
  }

  private async persist(held: HeldAlert): Promise<RaiseOutcome> {
    if (!this.database.reachable) return this.hold(held);
    const webhooks = this.config.current().webhooks.map((webhook) => webhookId(webhook.url));
    try {
      const id = await this.store.insert(held.alert, held.createdAt, webhooks, this.clock.now());
      if (id === null) return 'duplicate';
      this.stats.raised[held.alert.kind]++;
      this.logger.log(
        { alertId: id, kind: held.alert.kind, subject: held.alert.subject, webhooks: webhooks.length },
        'alert raised',
      );
      return 'raised';
    } catch (error) {
      if (this.database.noteFailure(error)) return this.hold(held);
      this.stats.dropped++;
      this.logger.error(
        { err: error, kind: held.alert.kind, dedupeKey: held.alert.dedupe_key },
        'alert could not be stored',
      );
      return 'dropped';
    }
  }

  private hold(held: HeldAlert): RaiseOutcome {
    if (this.held.length >= this.settings.raiseBufferMax) {
      this.stats.dropped++;
      this.logger.error(
        { kind: held.alert.kind, dedupeKey: held.alert.dedupe_key, held: this.held.length },
        'alert dropped: the database is unreachable and the alert buffer is full',
      );
      return 'dropped';
    }
    this.held.push(held);
    return 'buffered';
  }

  /** Stores what waited for the database, oldest first; stops (keeping the rest) if it goes away again. */
  private drain(): Promise<void> {
    this.draining ??= (async () => {
      while (this.held.length > 0 && this.database.reachable) {
        const next = this.held.shift()!;
        if ((await this.persist(next)) === 'buffered') break;
      }
    })().finally(() => (this.draining = undefined));
    return this.draining;
  }
}

function invalid(alert: NewAlert): string | undefined {
  if (!(ALERT_KINDS as readonly string[]).includes(alert.kind)) return `unknown kind "${alert.kind}"`;
  if (!(ALERT_SUBJECT_TYPES as readonly string[]).includes(alert.subject?.type)) return 'unknown subject type';
  if (!alert.subject.id) return 'no subject id';
  if (!alert.dedupe_key) return 'no dedupe_key';
  return undefined;
}
