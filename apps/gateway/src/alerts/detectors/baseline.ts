import type { AnomalyConfig } from '@app/common';

/** Requests and spend of one window (or the median of many). */
export interface WindowUsage {
  requests: number;
  costMicroUsd: number;
}

/**
 * The trailing baseline: the median requests and the median spend of the earlier windows of the same length
 * in which the subject was used at all. Idle windows are left out, so a key used a few hours a day is held
 * against its working hours, not its nights. Null without any such window: a new key has no baseline, and
 * its first requests never alert.
 */
export function baselineOf(windows: readonly WindowUsage[]): (WindowUsage & { windows: number }) | null {
  if (windows.length === 0) return null;
  return {
    requests: median(windows.map((window) => window.requests)),
    costMicroUsd: median(windows.map((window) => window.costMicroUsd)),
    windows: windows.length,
  };
}

/**
 * Which measures of the observed window are anomalous: above `factor` × the baseline and above the floor
 * (`min_requests` always; `min_spend_usd` for spend). Empty when nothing is.
 */
export function anomalousMeasures(
  observed: WindowUsage,
  baseline: WindowUsage,
  settings: Pick<AnomalyConfig, 'factor' | 'min_requests' | 'min_spend_usd'>,
): Array<'requests' | 'spend'> {
  if (observed.requests < settings.min_requests) return [];
  const measures: Array<'requests' | 'spend'> = [];
  if (
    observed.costMicroUsd >= settings.min_spend_usd * 1e6 &&
    observed.costMicroUsd > settings.factor * baseline.costMicroUsd
  )
    measures.push('spend');
  if (observed.requests > settings.factor * baseline.requests) measures.push('requests');
  return measures;
}

/** Whether a key's own window stands out against its own baseline (none: everything it did is new). */
export function risesAbove(observed: WindowUsage, baseline: WindowUsage | null, factor: number): boolean {
  if (!baseline) return observed.requests > 0;
  return observed.requests > factor * baseline.requests || observed.costMicroUsd > factor * baseline.costMicroUsd;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
