import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { InboundApiName } from '@app/common';
import { GatewayMetrics } from '@app/observability';

/** Why a request with an Idempotency-Key was refused instead of answered or replayed. */
export type IdempotencyConflict = 'in_progress' | 'body_mismatch' | 'not_stored';

/** Replays and conflicts of Idempotency-Key requests, on the gateway's own registry (`/metrics`). */
@Injectable()
export class IdempotencyMetrics {
  private readonly replays: Counter;
  private readonly conflicts: Counter;

  constructor(metrics: GatewayMetrics) {
    const registers = [metrics.registry];
    this.replays = new Counter({
      name: 'switchyard_idempotent_replays_total',
      help: 'Requests answered with the stored response of an earlier request with the same Idempotency-Key (no model call).',
      labelNames: ['api'],
      registers,
    });
    this.conflicts = new Counter({
      name: 'switchyard_idempotency_conflicts_total',
      help: 'Idempotency-Key requests refused: the first still in progress (409), another body under the key (422), the first answer too large to keep (409).',
      labelNames: ['api', 'reason'],
      registers,
    });
  }

  replayed(api: InboundApiName | undefined): void {
    this.replays.inc({ api: api ?? 'none' });
  }

  conflict(api: InboundApiName | undefined, reason: IdempotencyConflict): void {
    this.conflicts.inc({ api: api ?? 'none', reason });
  }
}
