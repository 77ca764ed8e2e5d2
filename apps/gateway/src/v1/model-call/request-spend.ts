import { Logger } from '@nestjs/common';
import type { PricePoint, RequestContext } from '@app/common';
import { BudgetReservation, imageCostMicros, SpendOutcome, usageCostMicros } from '@app/quota';

/**
 * One request's budget reservation, settled from what its context records once it is done: the served
 * deployment (route trace) and its usage, as the usage check left it (`provider`, `clamped` or `estimated`).
 */
export class RequestSpend {
  private static readonly logger = new Logger(RequestSpend.name);

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
   * Charges what the request cost and records the charge in the context (for the evidence record), before
   * and apart from that record. Never throws: the upstream answered, so the client gets its answer and the
   * hold is settled, whatever the usage looked like. Idempotent.
   */
  async settle(): Promise<void> {
    const settled = await this.reservation.settle(this.outcome());
    if (settled) this.context.costMicroUsd = settled.costMicros === null ? null : Number(settled.costMicros);
  }

  /**
   * The cost: the images returned at the served deployment's price per image (whatever tokens an upstream
   * reports); a valid usage report at the served deployment's price; null (flagged) without a price; the
   * reserved maximum when the report could not be right (`usage_invalid`) or never came (`usage_unknown`).
   * Should pricing fail all the same, the request is charged the reserved maximum and the failure logged,
   * rather than leaving the hold open until its lease expires.
   */
  private outcome(): SpendOutcome {
    const { trace, usage, images } = this.context;
    const served = { modelServed: trace?.modelServed ?? null, deployment: trace?.deployment ?? null };
    const reported = usage?.source === 'provider' ? usage : null;
    try {
      const price = this.servedPrice(this.context);
      if (!price) return { ...served, costMicros: null, costStatus: 'unpriced', usage: reported };
      if (images) {
        const costMicros = imageCostMicros(price, images.size, images.count);
        return { ...served, costMicros, costStatus: 'priced', usage: reported };
      }
      if (reported)
        return { ...served, costMicros: usageCostMicros(price, reported), costStatus: 'priced', usage: reported };
    } catch (error) {
      RequestSpend.logger.error(
        { err: error, requestId: this.context.requestId },
        'pricing a served request failed; it is charged its reservation',
      );
    }
    const invalid = usage?.source === 'clamped';
    return {
      ...served,
      costMicros: this.reservation.maxCostMicros,
      costStatus: invalid ? 'usage_invalid' : 'usage_unknown',
      usage: null,
    };
  }
}
