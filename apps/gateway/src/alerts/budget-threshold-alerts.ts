import { Injectable, OnModuleInit } from '@nestjs/common';
import { AlertsConfigSource, AlertsService } from '@app/alerts';
import { BudgetService, microsToUsd, SettledBudget } from '@app/quota';

/** Dedupe keys known to be stored, remembered so that a budget past a threshold costs no query per flush. */
const KNOWN_KEYS_MAX = 10_000;

/**
 * Budget threshold alerts: after each ledger flush (quota's `onSettled`, off the request path, within a flush
 * interval of the spend being settled) every charged budget at or past a configured share of its limit
 * raises one `budget_threshold` alert per threshold and period. The dedupe key (budget, period start,
 * threshold) makes it one alert whichever instance's flush sees it first, and however often; a new period has
 * a new start, so it fires again. "At or past", not "crossed by this flush": a flush whose alert was lost
 * (database gone in between) is made good by the next one.
 */
@Injectable()
export class BudgetThresholdAlerts implements OnModuleInit {
  private readonly known = new Set<string>();

  constructor(
    private readonly budgets: BudgetService,
    private readonly alerts: AlertsService,
    private readonly config: AlertsConfigSource,
  ) {}

  onModuleInit(): void {
    this.budgets.onSettled((settled) => this.check(settled));
  }

  async check(settled: readonly SettledBudget[]): Promise<void> {
    const thresholds = this.config.current().budget_thresholds;
    for (const budget of settled) {
      // A zero limit admits nothing: there is no share of it to warn about.
      if (budget.limitMicros <= 0n) continue;
      for (const threshold of thresholds) {
        if (!reached(budget, threshold)) continue;
        const dedupeKey = `budget_threshold:${budget.id}:${budget.periodStart.toISOString()}:${threshold}`;
        if (this.known.has(dedupeKey)) continue;
        const outcome = await this.alerts.raise({
          kind: 'budget_threshold',
          subject: { type: budget.level, id: budget.scopeId },
          details: {
            level: budget.level,
            budget_id: budget.id,
            period: budget.period,
            period_start: budget.periodStart.toISOString(),
            threshold_percent: threshold,
            limit_usd: microsToUsd(budget.limitMicros),
            spent_usd: microsToUsd(budget.spentMicros),
          },
          dedupe_key: dedupeKey,
        });
        if (outcome === 'raised' || outcome === 'duplicate') this.remember(dedupeKey);
      }
    }
  }

  private remember(dedupeKey: string): void {
    // Forgetting is harmless (the next flush asks Postgres, which answers "duplicate"): start over when full.
    if (this.known.size >= KNOWN_KEYS_MAX) this.known.clear();
    this.known.add(dedupeKey);
  }
}

/** spent ≥ threshold % of limit, in integers (thresholds may have two decimals). */
function reached(budget: SettledBudget, thresholdPercent: number): boolean {
  return budget.spentMicros * 10_000n >= budget.limitMicros * BigInt(Math.round(thresholdPercent * 100));
}
