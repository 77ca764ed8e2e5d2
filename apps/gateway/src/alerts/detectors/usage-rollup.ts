import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

interface Tally {
  keyId: string;
  projectId: string;
  bucketStart: Date;
  model: string;
  requests: number;
  costMicroUsd: number;
}

/** Past this many distinct (key, bucket, model) tallies waiting for the database, new ones are not kept. */
const MAX_PENDING = 100_000;

/**
 * Requests and spend per key, model and bucket, tallied in memory per request (a map update) and added to
 * `key_usage_buckets` in one statement per flush: no database write per request, and several instances
 * add to the same rows. A failed flush keeps its tallies for the next one.
 */
@Injectable()
export class UsageRollup {
  private pending = new Map<string, Tally>();

  constructor(private readonly dataSource: DataSource) {}

  add(keyId: string, projectId: string, bucketStart: Date, model: string, costMicroUsd: number): void {
    this.merge({ keyId, projectId, bucketStart, model, requests: 1, costMicroUsd });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const tallies = [...this.pending.values()];
    this.pending = new Map();
    try {
      await this.dataSource.query(
        `INSERT INTO key_usage_buckets (key_id, bucket_start, model, project_id, requests, cost_micro_usd)
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::uuid[], $5::int[], $6::bigint[])
         ON CONFLICT (key_id, bucket_start, model) DO UPDATE
           SET requests = key_usage_buckets.requests + EXCLUDED.requests,
               cost_micro_usd = key_usage_buckets.cost_micro_usd + EXCLUDED.cost_micro_usd`,
        [
          tallies.map((t) => t.keyId),
          tallies.map((t) => t.bucketStart),
          tallies.map((t) => t.model),
          tallies.map((t) => t.projectId),
          tallies.map((t) => t.requests),
          tallies.map((t) => Math.round(t.costMicroUsd)),
        ],
      );
    } catch (error) {
      for (const tally of tallies) this.merge(tally);
      throw error;
    }
  }

  private merge(tally: Tally): void {
    const id = `${tally.keyId}|${tally.bucketStart.getTime()}|${tally.model}`;
    const kept = this.pending.get(id);
    if (kept) {
      kept.requests += tally.requests;
      kept.costMicroUsd += tally.costMicroUsd;
    } else if (this.pending.size < MAX_PENDING) {
      this.pending.set(id, { ...tally });
    }
  }

  /** Drops buckets older than any baseline still reads. */
  async purge(before: Date): Promise<void> {
    await this.dataSource.query(`DELETE FROM key_usage_buckets WHERE bucket_start < $1`, [before]);
  }
}
