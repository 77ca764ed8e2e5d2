import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RecordedResponse } from './response-recorder';

/** The first request's claim on a (gateway key, Idempotency-Key) pair. */
export interface Claim {
  keyId: string;
  idempotencyKey: string;
  requestHash: Buffer;
  /** Names this attempt: only its holder completes or releases the row, even after a takeover. */
  token: string;
  requestId: string;
}

/** What a pair's row says to a request that did not get the claim. */
export type ClaimHolder =
  | { state: 'in_progress'; requestHash: Buffer }
  | { state: 'completed'; requestHash: Buffer; requestId: string; response: RecordedResponse }
  | { state: 'not_stored'; requestHash: Buffer; requestId: string };

interface Row {
  state: ClaimHolder['state'];
  request_hash: Buffer;
  request_id: string;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: Buffer | null;
}

/**
 * Takes the claim in one statement, so that of two requests (on any instances) exactly one gets it. An
 * existing row is taken over only when it is dead: past its expiry (any body: the key is free again), or an
 * in-progress claim whose lease ran out (its owner crashed) for the same request.
 */
const CLAIM = `
  INSERT INTO idempotency_records AS r
    (key_id, idempotency_key, request_hash, state, claim_token, lease_expires_at, request_id, created_at, expires_at)
  VALUES ($1, $2, $3, 'in_progress', $4, $5, $6, $7, $8)
  ON CONFLICT (key_id, idempotency_key) DO UPDATE SET
    request_hash = EXCLUDED.request_hash, state = 'in_progress', claim_token = EXCLUDED.claim_token,
    lease_expires_at = EXCLUDED.lease_expires_at, request_id = EXCLUDED.request_id, response_status = NULL,
    response_headers = NULL, response_body = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
  WHERE r.expires_at <= $7
     OR (r.state = 'in_progress' AND r.lease_expires_at <= $7 AND r.request_hash = EXCLUDED.request_hash)
  RETURNING 1`;

/** Postgres's idempotency rows (`idempotency_records`): the claims and stored answers shared by every instance. */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly dataSource: DataSource) {}

  /** True if the claim was taken; otherwise `holder` reads who has it. */
  async claim(claim: Claim, now: Date, leaseUntil: Date, expiresAt: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(CLAIM, [
      claim.keyId,
      claim.idempotencyKey,
      claim.requestHash,
      claim.token,
      leaseUntil,
      claim.requestId,
      now,
      expiresAt,
    ]);
    return rows.length === 1;
  }

  /** The live row for the pair; undefined when there is none or it has expired (the key is free). */
  async holder(keyId: string, idempotencyKey: string, now: Date): Promise<ClaimHolder | undefined> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT state, request_hash, request_id, response_status, response_headers, response_body
         FROM idempotency_records
        WHERE key_id = $1 AND idempotency_key = $2 AND expires_at > $3`,
      [keyId, idempotencyKey, now],
    );
    const row = rows[0];
    if (!row) return undefined;
    const requestHash = row.request_hash;
    if (row.state === 'in_progress') return { state: 'in_progress', requestHash };
    if (row.state === 'not_stored') return { state: 'not_stored', requestHash, requestId: row.request_id };
    const response = { status: row.response_status!, headers: row.response_headers ?? {}, body: row.response_body };
    return { state: 'completed', requestHash, requestId: row.request_id, response };
  }

  /** The claim's answer, kept for replay (or, with no body, marked answered but not kept). */
  async complete(claim: Claim, response: RecordedResponse): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_records
          SET state = $4, lease_expires_at = NULL, response_status = $5, response_headers = $6, response_body = $7
        WHERE key_id = $1 AND idempotency_key = $2 AND claim_token = $3`,
      [
        claim.keyId,
        claim.idempotencyKey,
        claim.token,
        response.body ? 'completed' : 'not_stored',
        response.status,
        JSON.stringify(response.headers),
        response.body,
      ],
    );
  }

  /** Gives the pair up: the outcome is one a client should retry, and the retry must reach the model. */
  async release(claim: Claim): Promise<void> {
    await this.dataSource.query(
      `DELETE FROM idempotency_records WHERE key_id = $1 AND idempotency_key = $2 AND claim_token = $3`,
      [claim.keyId, claim.idempotencyKey, claim.token],
    );
  }

  /** Extends the leases of claims still being answered (by this instance). */
  async renew(tokens: readonly string[], leaseUntil: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_records SET lease_expires_at = $2 WHERE claim_token = ANY($1::uuid[]) AND state = 'in_progress'`,
      [tokens, leaseUntil],
    );
  }

  /**
   * Deletes up to `limit` expired rows; returns how many. Rows another instance is deleting are skipped, so
   * two purges never wait for each other.
   */
  async purgeExpired(now: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM idempotency_records
        WHERE (key_id, idempotency_key) IN (
          SELECT key_id, idempotency_key FROM idempotency_records
           WHERE expires_at <= $1
           LIMIT $2
             FOR UPDATE SKIP LOCKED)`,
      [now, limit],
    );
    return deleted;
  }
}
