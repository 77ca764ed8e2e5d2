import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertsService } from '@app/alerts';
import type { AnomalyConfig } from '@app/common';

interface FailureTally {
  prefix: string;
  windowStart: Date;
  failures: number;
  /** A few of the addresses they came from, to start an investigation with. */
  clientIps: Set<string>;
}

const MAX_PENDING = 10_000;
const MAX_IPS = 5;

/**
 * `auth_failures`: a burst of 401s for one presented key prefix (`sy-prod-AbCd`, or `other` for values not
 * shaped like our keys) — someone guessing, or a fleet still using a revoked key. Only the prefix is kept,
 * never what was presented. Counted in memory per request, added per flush to `auth_failure_windows` (one
 * statement, shared by every instance); the flush that takes a prefix's window to the threshold raises
 * the alert, once per prefix and window.
 */
@Injectable()
export class AuthFailureDetector {
  private pending = new Map<string, FailureTally>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly alerts: AlertsService,
  ) {}

  add(prefix: string, clientIp: string | null, now: Date, settings: AnomalyConfig['auth_failures']): void {
    const windowMs = settings.window_s * 1_000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    const id = `${prefix}|${windowStart.getTime()}`;
    let tally = this.pending.get(id);
    if (!tally) {
      if (this.pending.size >= MAX_PENDING) return;
      tally = { prefix, windowStart, failures: 0, clientIps: new Set() };
      this.pending.set(id, tally);
    }
    tally.failures++;
    if (clientIp && tally.clientIps.size < MAX_IPS) tally.clientIps.add(clientIp);
  }

  async flush(settings: AnomalyConfig['auth_failures']): Promise<void> {
    if (this.pending.size === 0) return;
    const tallies = [...this.pending.values()];
    this.pending = new Map();
    type Row = { key_prefix: string; window_start: Date; failures: number };
    const rows = await this.dataSource
      .query<Row[]>(
        `WITH added AS (
           INSERT INTO auth_failure_windows (key_prefix, window_start, failures)
           SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::int[])
           ON CONFLICT (key_prefix, window_start) DO UPDATE
             SET failures = auth_failure_windows.failures + EXCLUDED.failures
           RETURNING key_prefix, window_start, failures
         )
         SELECT * FROM added`,
        [tallies.map((t) => t.prefix), tallies.map((t) => t.windowStart), tallies.map((t) => t.failures)],
      )
      .catch((error: unknown) => {
        for (const tally of tallies) this.putBack(tally);
        throw error;
      });
    for (const row of rows) {
      const tally = tallies.find(
        (t) => t.prefix === row.key_prefix && t.windowStart.getTime() === row.window_start.getTime(),
      );
      // Only the flush that crossed the threshold raises (others, here or elsewhere, add to a count above it).
      if (!tally || row.failures < settings.threshold || row.failures - tally.failures >= settings.threshold) continue;
      await this.raise(tally, row.failures, settings);
    }
  }

  /** A tally whose flush failed, merged with what came in since. */
  private putBack(tally: FailureTally): void {
    const id = `${tally.prefix}|${tally.windowStart.getTime()}`;
    const newer = this.pending.get(id);
    if (!newer) this.pending.set(id, tally);
    else {
      newer.failures += tally.failures;
      for (const ip of tally.clientIps) if (newer.clientIps.size < MAX_IPS) newer.clientIps.add(ip);
    }
  }

  async purge(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM auth_failure_windows WHERE window_start < $1`, [before]);
  }

  private async raise(tally: FailureTally, failures: number, settings: AnomalyConfig['auth_failures']): Promise<void> {
    const keys: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM api_keys WHERE key_prefix = $1 LIMIT 2`,
      [tally.prefix],
    );
    // The key the prefix names, when exactly one does (its team's admins see the alert); else the prefix.
    const keyId = keys.length === 1 ? keys[0].id : null;
    await this.alerts.raise({
      kind: 'auth_failures',
      subject: { type: 'key', id: keyId ?? tally.prefix },
      dedupe_key: `auth_failures:${tally.prefix}:${tally.windowStart.getTime() / 1_000}`,
      details: {
        key_prefix: tally.prefix,
        key_id: keyId,
        failures,
        threshold: settings.threshold,
        window_s: settings.window_s,
        window_start: tally.windowStart.toISOString(),
        client_ips: [...tally.clientIps],
      },
    });
  }
}
