import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { BudgetAdminService } from './budget/budget-admin.service';
import { BudgetLeases } from './budget/budget-leases';
import { BudgetService } from './budget/budget.service';
import { BudgetStore } from './budget/budget.store';
import { QuotaPolicyService } from './policy/quota-policy.service';
import { QuotaCoreModule } from './quota-core.module';
import { RateLimitAdminService } from './rate-limit/rate-limit-admin.service';
import { RATE_DIMENSIONS, RATE_WINDOW_MS, RateLimitGuard } from './rate-limit/rate-limit.guard';
import { RateLimitStore } from './rate-limit/rate-limit.store';

/**
 * Budgets (reserve → settle against leased headroom, ledger in Postgres) and rate limits (a global guard
 * on @nestjs/throttler, windows in Redis). Import it after AuthModule: its guard needs the principal.
 */
@Module({
  imports: [
    QuotaCoreModule,
    ThrottlerModule.forRootAsync({
      imports: [QuotaCoreModule],
      inject: [RateLimitStore],
      useFactory: (storage: RateLimitStore) => ({
        // Limits are per key, project and team (QuotaPolicyService); the throttlers name the windows.
        throttlers: RATE_DIMENSIONS.map((name) => ({ name, ttl: RATE_WINDOW_MS, limit: Number.MAX_SAFE_INTEGER })),
        storage,
      }),
    }),
  ],
  providers: [
    QuotaPolicyService,
    BudgetStore,
    BudgetLeases,
    BudgetService,
    BudgetAdminService,
    RateLimitAdminService,
    // A global guard: Nest runs it on its routes, and the app's /v1 pipeline runs the same instance on its own.
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [QuotaCoreModule, BudgetService, BudgetAdminService, RateLimitAdminService],
})
export class QuotaModule {}
