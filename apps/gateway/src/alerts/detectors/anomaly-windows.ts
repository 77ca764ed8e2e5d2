import type { AnomalyConfig } from '@app/common';

/**
 * The time grid the detectors share. Usage is rolled up into buckets of at most a minute that divide the
 * window (300 s → 60 s buckets); the observed window is the last `window_s` of whole buckets, the current one
 * included, and the baseline windows are the same-length stretches before it, back `baseline_days`.
 */
export class AnomalyWindows {
  readonly bucketMs: number;
  readonly windowMs: number;

  constructor(readonly settings: AnomalyConfig) {
    this.bucketMs = gcd(settings.window_s, 60) * 1_000;
    this.windowMs = settings.window_s * 1_000;
  }

  /** The bucket a moment falls in, by its start. */
  bucketOf(at: Date): Date {
    return new Date(Math.floor(at.getTime() / this.bucketMs) * this.bucketMs);
  }

  /** Where the observed window starts: `window_s` back from the end of the current bucket. */
  windowStart(now: Date): Date {
    return new Date(this.bucketOf(now).getTime() + this.bucketMs - this.windowMs);
  }

  /** Where the baseline starts. */
  baselineStart(now: Date): Date {
    return new Date(this.windowStart(now).getTime() - this.settings.baseline_days * 86_400_000);
  }

  /** The window's number, the same on every instance: one alert per subject and number (the dedupe key). */
  windowNumber(now: Date): number {
    return Math.floor(this.windowStart(now).getTime() / this.windowMs);
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
