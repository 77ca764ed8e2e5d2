import { Injectable } from '@nestjs/common';
import { AlertsService } from '@app/alerts';
import { ApiKeyEntity, ApiKeyService, maskKey } from '@app/auth';
import { AnomalySuspension } from './anomaly-suspension';
import { AnomalyWindows } from './anomaly-windows';
import { anomalousMeasures, baselineOf, risesAbove, WindowUsage } from './baseline';
import { ObservedUsage, UsageLevel, UsageWindowsQuery } from './usage-windows.query';

type Measure = ReturnType<typeof anomalousMeasures>[number];
type Baseline = WindowUsage & { windows: number };

/**
 * How long a computed baseline is reused. A week's median barely moves in an hour, and a subject that stays
 * above the floor would otherwise have its week of buckets read at every check (~37 ms a key measured with
 * 10 M rollup rows; docs/anomaly-detection.md).
 */
const BASELINE_REUSE_MS = 3_600_000;
const MAX_CACHED_BASELINES = 50_000;
/** Subjects whose baselines are read in one statement. */
const BASELINE_BATCH = 100;

/** What was found anomalous, for the alert and the suspension reason. */
interface Finding {
  level: UsageLevel;
  observed: ObservedUsage;
  baseline: Baseline;
  measures: Measure[];
  windowStart: Date;
}

/**
 * `spend_anomaly`, per key and per project: the last window's spend or request count against its own
 * trailing baseline (anomaly-windows.ts, baseline.ts). Every instance checks; the dedupe key (subject and
 * window number) makes it one alert per subject and window. With the project's `on_anomaly: suspend`, a key
 * anomaly suspends the key; a project anomaly suspends the project's keys that rose above their own
 * baselines, or the project when none did on its own (many keys each a little busier).
 */
@Injectable()
export class SpendAnomalyDetector {
  /** Dedupe keys this instance has reported: a condition that persists is not re-examined every check. */
  private reported = new Set<string>();
  private reportedWindow = -1;
  /** Baselines by level and id, with when they stop being reused; for the windows they were computed on. */
  private baselines = new Map<string, { baseline: Baseline; until: number }>();
  private baselinesFor?: AnomalyWindows;

  constructor(
    private readonly usage: UsageWindowsQuery,
    private readonly suspension: AnomalySuspension,
    private readonly apiKeys: ApiKeyService,
    private readonly alerts: AlertsService,
  ) {}

  async check(now: Date, windows: AnomalyWindows): Promise<void> {
    const windowNumber = windows.windowNumber(now);
    if (windowNumber !== this.reportedWindow) {
      this.reported = new Set();
      this.reportedWindow = windowNumber;
    }
    const windowStart = windows.windowStart(now);
    for (const level of ['key', 'project'] as const) {
      const busy = await this.usage.busy(level, windowStart, windows.settings.min_requests);
      const unreported = busy.filter((observed) => !this.reported.has(dedupeKey(level, observed.id, windowNumber)));
      if (unreported.length === 0) continue;
      const baselines = await this.baselinesOf(level, unreported, now, windows);
      for (const observed of unreported) {
        const baseline = baselines.get(observed.id);
        if (!baseline) continue;
        const measures = anomalousMeasures(observed, baseline, windows.settings);
        if (measures.length === 0) continue;
        await this.report({ level, observed, baseline, measures, windowStart }, now, windows);
        this.reported.add(dedupeKey(level, observed.id, windowNumber));
      }
    }
  }

  /** The subjects' baselines, reused for an hour once known (a subject without one is asked again). */
  private async baselinesOf(
    level: UsageLevel,
    subjects: readonly ObservedUsage[],
    now: Date,
    windows: AnomalyWindows,
  ): Promise<Map<string, Baseline>> {
    if (this.baselinesFor !== windows || this.baselines.size >= MAX_CACHED_BASELINES) {
      this.baselines = new Map();
      this.baselinesFor = windows;
    }
    const found = new Map<string, Baseline>();
    const missing: string[] = [];
    for (const { id } of subjects) {
      const cached = this.baselines.get(`${level}:${id}`);
      if (cached && cached.until > now.getTime()) found.set(id, cached.baseline);
      else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += BASELINE_BATCH) {
      const history = await this.usage.baselineWindows(
        level,
        missing.slice(i, i + BASELINE_BATCH),
        windows.windowStart(now),
        windows.baselineStart(now),
        windows.windowMs,
      );
      for (const [id, windowsUsed] of history) {
        const baseline = baselineOf(windowsUsed);
        if (!baseline) continue;
        found.set(id, baseline);
        this.baselines.set(`${level}:${id}`, { baseline, until: now.getTime() + BASELINE_REUSE_MS });
      }
    }
    return found;
  }

  private async report(finding: Finding, now: Date, windows: AnomalyWindows): Promise<void> {
    const { level, observed, windowStart } = finding;
    const key = level === 'key' ? await this.apiKeys.get(observed.id) : null;
    const projectId = key?.projectId ?? observed.id;
    const onAnomaly = await this.suspension.actionOf(projectId);
    const action = onAnomaly === 'suspend' ? await this.suspend(finding, projectId, now, windows) : {};
    await this.alerts.raise({
      kind: 'spend_anomaly',
      subject: { type: level, id: observed.id },
      dedupe_key: dedupeKey(level, observed.id, windows.windowNumber(now)),
      details: {
        ...(key ? { masked_key: maskKey(key.keyPrefix, key.keyLast4) } : {}),
        project_id: projectId,
        window_s: windows.settings.window_s,
        window_start: windowStart.toISOString(),
        observed: usageView(observed),
        baseline: {
          ...usageView(finding.baseline),
          windows: finding.baseline.windows,
          days: windows.settings.baseline_days,
        },
        factor: windows.settings.factor,
        exceeded: finding.measures,
        top_models: (await this.usage.topModels(level, observed.id, windowStart)).map((model) => ({
          model: model.model,
          ...usageView(model),
        })),
        on_anomaly: onAnomaly,
        ...action,
      },
    });
  }

  /** Suspends what the finding points at; says what it suspended, for the alert's details. */
  private async suspend(finding: Finding, projectId: string, now: Date, windows: AnomalyWindows) {
    const reason = suspensionReason(finding, windows.settings.window_s);
    if (finding.level === 'key') {
      const keys = await this.suspension.suspendKeys([finding.observed.id], reason, finding.windowStart);
      return { suspended_keys: keys.map(suspendedKeyView) };
    }
    const culprits = await this.risenKeys(projectId, now, windows);
    if (culprits.length === 0) {
      return { suspended_project: await this.suspension.suspendProject(projectId, reason, finding.windowStart) };
    }
    const keys = await this.suspension.suspendKeys(culprits, reason, finding.windowStart);
    return { suspended_keys: keys.map(suspendedKeyView) };
  }

  /** The project's keys whose own window rose above `factor` × their own baseline (or that have none). */
  private async risenKeys(projectId: string, now: Date, windows: AnomalyWindows): Promise<string[]> {
    const windowStart = windows.windowStart(now);
    const keys = await this.usage.keysOfProject(projectId, windowStart);
    const history = await this.usage.baselineWindows(
      'key',
      keys.map((key) => key.id),
      windowStart,
      windows.baselineStart(now),
      windows.windowMs,
    );
    return keys
      .filter((key) => risesAbove(key, baselineOf(history.get(key.id) ?? []), windows.settings.factor))
      .map((key) => key.id);
  }
}

function dedupeKey(level: UsageLevel, id: string, windowNumber: number): string {
  return `spend_anomaly:${level}:${id}:${windowNumber}`;
}

function suspendedKeyView(key: ApiKeyEntity) {
  return { id: key.id, masked_key: maskKey(key.keyPrefix, key.keyLast4) };
}

function usd(micros: number): number {
  return Math.round(micros) / 1e6;
}

function usageView(usage: WindowUsage) {
  return { requests: usage.requests, spend_usd: usd(usage.costMicroUsd) };
}

/** One line for the key's 403 and the suspension's audit event. */
function suspensionReason(finding: Finding, windowSeconds: number): string {
  const { observed, baseline, level } = finding;
  const whose = level === 'key' ? 'this key' : "this key's project";
  return (
    `${whose} made ${observed.requests} requests costing $${usd(observed.costMicroUsd)} in ${windowSeconds} s ` +
    `from ${finding.windowStart.toISOString()}, against a baseline of ${baseline.requests} requests and ` +
    `$${usd(baseline.costMicroUsd)} (${finding.measures.join(' and ')} anomalous)`
  );
}
