import type { PricePoint, RequestContext } from '@app/common';
import { BudgetReservation, usageCostMicros } from '@app/quota';

/**
 * One request's budget reservation, settled from what its context records once it is done: the served
 * deployment (route trace) and the provider's usage report.
 */
export class RequestSpend {
  constructor(
    private readonly reservation: BudgetReservation,
    private readonly context: RequestContext,
    private readonly servedPrice: (context: RequestContext) => PricePoint | null,
  ) {}

  /** Passes the upstream call through, releasing the reservation if it fails (nothing was served). */
  async releaseOnFailure<T>(call: Promise<T>): Promise<T> {
    try {
      return await call;
    } catch (error) {
      await this.reservation.release();
      throw error;
    }
  }

  /**
   * Charges what the request cost: its usage at the served deployment's price; null (flagged) without a
   * price; the reserved maximum when the upstream answered but never reported usage. Idempotent.
   */
  async settle(): Promise<void> {
    const { trace, usage } = this.context;
    const price = this.servedPrice(this.context);
    const reported = usage?.source === 'provider' ? usage : null;
    const costMicros = !price ? null : reported ? usageCostMicros(price, reported) : this.reservation.maxCostMicros;
    const settled = await this.reservation.settle({
      costMicros,
      costStatus: !price ? 'unpriced' : reported ? 'priced' : 'usage_unknown',
      usage: reported,
      modelServed: trace?.modelServed ?? null,
      deployment: trace?.deployment ?? null,
    });
    if (settled) this.context.costMicroUsd = costMicros === null ? null : Number(costMicros);
  }
}
