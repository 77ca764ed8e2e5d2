import { Injectable } from '@nestjs/common';
import { Clock } from '@app/common';
import type { RetryBudgetSettings } from '../catalog/catalog.schema';

const BUCKETS_PER_WINDOW = 10;

interface Bucket {
  start: number;
  firstAttempts: number;
  retries: number;
}

/**
 * Process-wide cap on retries: over a sliding window, retries may be at most `ratio` of first attempts (or
 * `min_retries`, whichever is more). Per-request retry limits multiply load on an upstream that is already
 * failing; a budget bounds the whole gateway's extra load to (1 + ratio) × client traffic.
 * Counts live in time buckets (a tenth of the window each), so the cost per call is constant.
 */
@Injectable()
export class RetryBudget {
  private readonly buckets: Bucket[] = [];

  constructor(private readonly clock: Clock) {}

  /** A request's first upstream attempt: it earns retry allowance. */
  recordFirstAttempt(settings: RetryBudgetSettings): void {
    this.currentBucket(settings).firstAttempts++;
  }

  /** Takes one retry from the budget; false when the window's allowance is spent. */
  tryRetry(settings: RetryBudgetSettings): boolean {
    const bucket = this.currentBucket(settings);
    let firstAttempts = 0;
    let retries = 0;
    for (const { firstAttempts: f, retries: r } of this.buckets) {
      firstAttempts += f;
      retries += r;
    }
    if (retries >= Math.max(settings.min_retries, settings.ratio * firstAttempts)) return false;
    bucket.retries++;
    return true;
  }

  private currentBucket(settings: RetryBudgetSettings): Bucket {
    const now = this.clock.now().getTime();
    const width = settings.window_ms / BUCKETS_PER_WINDOW;
    while (this.buckets.length > 0 && this.buckets[0].start <= now - settings.window_ms) this.buckets.shift();
    const start = Math.floor(now / width) * width;
    let bucket = this.buckets.at(-1);
    if (!bucket || bucket.start !== start) {
      bucket = { start, firstAttempts: 0, retries: 0 };
      this.buckets.push(bucket);
    }
    return bucket;
  }
}
