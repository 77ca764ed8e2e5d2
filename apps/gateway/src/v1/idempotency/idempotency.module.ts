import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ClaimLeases } from './claim-leases';
import { IdempotencyPurge } from './idempotency-purge';
import { idempotencyConfig } from './idempotency.config';
import { IdempotencyMetrics } from './idempotency.metrics';
import { IdempotencyStore } from './idempotency.store';
import { IdempotentRequests } from './idempotent-requests';

/** `Idempotency-Key` on the `/v1` routes: claims and kept answers in Postgres, their leases and their purge. */
@Module({
  imports: [ConfigModule.forFeature(idempotencyConfig)],
  providers: [IdempotencyStore, ClaimLeases, IdempotencyPurge, IdempotencyMetrics, IdempotentRequests],
  exports: [IdempotentRequests],
})
export class IdempotencyModule {}
