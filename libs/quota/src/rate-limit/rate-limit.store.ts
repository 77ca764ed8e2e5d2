import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { ThrottlerStorage } from '@nestjs/throttler';
import Redis from 'ioredis';
import { Clock, GatewayError } from '@app/common';
import { quotaConfig } from '../quota.config';
import { QuotaStats } from '../quota-stats';
import { RedisSlidingWindow } from './redis-sliding-window';
import { MemorySlidingWindow, WindowCheck, WindowDecision } from './sliding-window';

/** After a Redis failure, requests skip Redis this long, so a dead store costs one timeout, not one per request. */
const SKIP_AFTER_FAILURE_MS = 1_000;
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Where rate-limit windows live: Redis when REDIS_URL is set (shared by every instance), memory otherwise.
 * While Redis is unreachable it follows RATE_LIMIT_REDIS_FAILURE — `open`: count in memory, each instance
 * enforcing its 1/RATE_LIMIT_INSTANCES share of every limit; `closed`: refuse with 503 — and says so in
 * the log and in `QuotaStats`. Commands time out after RATE_LIMIT_REDIS_TIMEOUT_MS and never queue.
 *
 * Also a `ThrottlerStorage`, so @nestjs/throttler's module and stock guard can use it as their storage.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimitStore.name);
  private readonly memory = new MemorySlidingWindow();
  private readonly redisClient?: Redis;
  private readonly shared?: RedisSlidingWindow;
  private skipRedisUntil = 0;
  private sweepTimer?: NodeJS.Timeout;

  constructor(
    private readonly clock: Clock,
    private readonly stats: QuotaStats,
    @Inject(quotaConfig.KEY) private readonly settings: ConfigType<typeof quotaConfig>,
  ) {
    if (settings.redisUrl) {
      this.redisClient = new Redis(settings.redisUrl, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: settings.redisTimeoutMs,
        connectTimeout: 2_000,
        // On shutdown, a connection that does not close promptly is destroyed rather than waited for.
        disconnectTimeout: settings.redisTimeoutMs,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
      });
      // Connection errors surface through failed commands; the client reconnects on its own.
      this.redisClient.on('error', () => undefined);
      this.shared = new RedisSlidingWindow(this.redisClient);
    }
  }

  onModuleInit(): void {
    this.sweepTimer = setInterval(() => this.memory.sweep(this.clock.now().getTime()), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweepTimer);
    this.redisClient?.disconnect();
  }

  /** Checks and records one request in every window, atomically. */
  async consume(checks: readonly WindowCheck[]): Promise<WindowDecision> {
    const now = this.clock.now().getTime();
    if (!this.shared) return this.memory.decide(checks, now);
    if (Date.now() >= this.skipRedisUntil) {
      try {
        const decision = await this.shared.consume(checks, now);
        this.recovered();
        return decision;
      } catch (error) {
        this.failed(error);
      }
    }
    if (this.settings.redisFailureMode === 'closed') {
      throw new GatewayError('service_unavailable', 'Rate limits cannot be checked right now; try again shortly.', {
        retryAfterSeconds: 1,
      });
    }
    const share = (limit: number) => Math.max(1, Math.floor(limit / this.settings.instances));
    return this.memory.decide(
      checks.map((check) => ({ ...check, limit: share(check.limit) })),
      now,
    );
  }

  /** The `ThrottlerStorage` contract: one hit on one key; blocking lasts until the hit fits the window. */
  async increment(key: string, ttl: number, limit: number): ReturnType<ThrottlerStorage['increment']> {
    const { allowed, windows } = await this.consume([{ key, limit, windowMs: ttl, weight: 1 }]);
    const [window] = windows;
    return {
      totalHits: allowed ? window.used : window.used + 1,
      timeToExpire: Math.ceil(window.resetMs / 1_000),
      isBlocked: !allowed,
      timeToBlockExpire: Math.ceil(window.retryAfterMs / 1_000),
    };
  }

  private failed(error: unknown): void {
    this.stats.rateLimitStoreErrors++;
    this.skipRedisUntil = Date.now() + SKIP_AFTER_FAILURE_MS;
    if (this.stats.rateLimitStoreDegraded) return;
    this.stats.rateLimitStoreDegraded = true;
    const fallback =
      this.settings.redisFailureMode === 'open'
        ? `counting in memory, each instance allowing 1/${this.settings.instances} of every limit`
        : 'refusing requests with 503 until it is back';
    this.logger.error({ err: error }, `rate-limit store (Redis) unreachable: ${fallback}`);
  }

  private recovered(): void {
    if (!this.stats.rateLimitStoreDegraded) return;
    this.stats.rateLimitStoreDegraded = false;
    this.logger.log('rate-limit store (Redis) reachable again');
  }
}
