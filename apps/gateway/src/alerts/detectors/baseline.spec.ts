import { DEFAULT_ALERTS_CONFIG } from '@app/common';
import { AnomalyWindows } from './anomaly-windows';
import { anomalousMeasures, baselineOf, risesAbove } from './baseline';

const settings = { factor: 10, min_requests: 20, min_spend_usd: 1 };
const usage = (requests: number, usd: number) => ({ requests, costMicroUsd: usd * 1e6 });

describe('the trailing baseline', () => {
  it('is the median of the busy windows, and absent without any', () => {
    expect(baselineOf([])).toBeNull();
    expect(baselineOf([usage(1, 1), usage(9, 3), usage(5, 2)])).toEqual({ ...usage(5, 2), windows: 3 });
    expect(baselineOf([usage(2, 1), usage(4, 3)])).toEqual({ ...usage(3, 2), windows: 2 });
  });

  it('flags spend and requests above factor × baseline, only above the floors', () => {
    expect(anomalousMeasures(usage(200, 40), usage(10, 2), settings)).toEqual(['spend', 'requests']);
    expect(anomalousMeasures(usage(100, 40), usage(10, 2), settings)).toEqual(['spend']);
    // Below min_requests, however far above the baseline.
    expect(anomalousMeasures(usage(19, 500), usage(1, 0.01), settings)).toEqual([]);
    // Spend under min_spend_usd counts for nothing; the request rate still does.
    expect(anomalousMeasures(usage(40, 0.5), usage(2, 0.01), settings)).toEqual(['requests']);
    expect(anomalousMeasures(usage(90, 18), usage(10, 2), settings)).toEqual([]);
  });

  it('calls a key with no baseline risen as soon as it was used', () => {
    expect(risesAbove(usage(1, 0), null, 10)).toBe(true);
    expect(risesAbove(usage(30, 1), usage(4, 0.2), 10)).toBe(false);
    expect(risesAbove(usage(30, 3), usage(4, 0.2), 10)).toBe(true);
  });
});

describe('the windows', () => {
  it('cuts a 5-minute window into minute buckets ending with the current one', () => {
    const windows = new AnomalyWindows({ ...DEFAULT_ALERTS_CONFIG.anomaly, window_s: 300, baseline_days: 7 });
    const now = new Date('2026-12-04T12:03:30Z');
    expect(windows.bucketMs).toBe(60_000);
    expect(windows.bucketOf(now).toISOString()).toBe('2026-12-04T12:03:00.000Z');
    expect(windows.windowStart(now).toISOString()).toBe('2026-12-04T11:59:00.000Z');
    expect(windows.baselineStart(now).toISOString()).toBe('2026-11-27T11:59:00.000Z');
  });

  it('uses buckets that divide the window', () => {
    expect(new AnomalyWindows({ ...DEFAULT_ALERTS_CONFIG.anomaly, window_s: 90 }).bucketMs).toBe(30_000);
    expect(new AnomalyWindows({ ...DEFAULT_ALERTS_CONFIG.anomaly, window_s: 45 }).bucketMs).toBe(15_000);
  });
});
