import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { quotaConfig } from './quota.config';
import { QuotaStats } from './quota-stats';
import { RateLimitStore } from './rate-limit/rate-limit.store';

/** What the throttler module's options factory needs before QuotaModule itself exists. */
@Module({
  imports: [ConfigModule.forFeature(quotaConfig)],
  providers: [QuotaStats, RateLimitStore],
  exports: [ConfigModule, QuotaStats, RateLimitStore],
})
export class QuotaCoreModule {}
