import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertsService } from '@app/alerts';

export type SightingKind = 'ip' | 'model';

interface Sighting {
  keyId: string;
  kind: SightingKind;
  value: string;
  seenAt: Date;
}

/** Pairs remembered as known; past it the memory starts afresh (the table still knows them all). */
const MAX_KNOWN = 100_000;
const MAX_PENDING = 10_000;

/**
 * `new_ip` and `new_model` (informational): a key used from an address, or for a model, it was never used
 * from or for before. Pairs already seen are remembered in memory, so a known pair costs one Set lookup; a
 * new one is inserted into `key_sightings` with the next flush, and only the instance whose insert created
 * the row raises. A key's very first address and first model are not news: the first of each kind is not
 * reported.
 */
@Injectable()
export class SightingDetector {
  private known = new Set<string>();
  private pending = new Map<string, Sighting>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly alerts: AlertsService,
  ) {}

  add(keyId: string, kind: SightingKind, value: string, now: Date): void {
    const id = `${keyId}|${kind}|${value}`;
    if (this.known.has(id) || this.pending.has(id) || this.pending.size >= MAX_PENDING) return;
    this.pending.set(id, { keyId, kind, value, seenAt: now });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const sightings = [...batch.values()];
    // The EXISTS reads the table as it was before this statement's insert: whether the key had any sighting of
    // the kind before these.
    const rows: Array<{
      key_id: string;
      kind: SightingKind;
      value: string;
      first_seen_at: Date;
      known_before: boolean;
    }> = await this.dataSource.query(
      `WITH inserted AS (
           INSERT INTO key_sightings (key_id, kind, value, first_seen_at)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])
           ON CONFLICT DO NOTHING
           RETURNING key_id, kind, value, first_seen_at
         )
         SELECT i.*, EXISTS (SELECT 1 FROM key_sightings s WHERE s.key_id = i.key_id AND s.kind = i.kind) AS known_before
           FROM inserted i ORDER BY i.first_seen_at`,
      [
        sightings.map((s) => s.keyId),
        sightings.map((s) => s.kind),
        sightings.map((s) => s.value),
        sightings.map((s) => s.seenAt),
      ],
    );
    for (const id of this.pending.keys()) this.remember(id);
    this.pending.clear();
    const firstOfKind = new Set<string>();
    for (const row of rows) {
      const keyKind = `${row.key_id}|${row.kind}`;
      // Within one flush, the earliest of a key's new values is its first when it had none before.
      if (!row.known_before && !firstOfKind.has(keyKind)) {
        firstOfKind.add(keyKind);
        continue;
      }
      firstOfKind.add(keyKind);
      await this.alerts.raise({
        kind: row.kind === 'ip' ? 'new_ip' : 'new_model',
        subject: { type: 'key', id: row.key_id },
        dedupe_key: `new_${row.kind}:${row.key_id}:${row.value}`,
        details: { [row.kind]: row.value, first_seen_at: row.first_seen_at.toISOString() },
      });
    }
  }

  private remember(id: string): void {
    if (this.known.size >= MAX_KNOWN) this.known = new Set();
    this.known.add(id);
  }
}
