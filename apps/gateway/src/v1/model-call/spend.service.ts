import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ChatCompletionRequest, Clock, EmbeddingsRequest, Principal, RequestContext } from '@app/common';
import {
  BudgetService,
  choices,
  maxCostMicros,
  measurePrompt,
  priceAt,
  promptTokenBound,
  requestedOutputTokens,
} from '@app/quota';
import { ModelCatalogService, RoutePlan } from '@app/routing';
import { RequestSpend } from './request-spend';

/**
 * Prices a request for the quota lib from its route plan: before routing, the most it can cost on any
 * deployment the plan may call (the model's and its permitted fallbacks'); after, what it cost where it was
 * served, at the price in force when it was admitted.
 */
@Injectable()
export class SpendService implements OnModuleInit {
  private readonly logger = new Logger(SpendService.name);

  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly budgets: BudgetService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const unpriced = this.catalog.unpricedModels();
    if (unpriced.length > 0) {
      this.logger.warn(
        `models without a price: ${unpriced.map((m) => m.name).join(', ')}; their requests are recorded with cost null and budgets do not limit them`,
      );
    }
  }

  /** Reserves the request's maximum cost at every budget it falls under; throws the 402 when one has no room. */
  async reserve(
    principal: Principal,
    context: RequestContext,
    plan: RoutePlan,
    request: ChatCompletionRequest | EmbeddingsRequest,
  ): Promise<RequestSpend> {
    const at = this.clock.now();
    const promptTokens = promptTokenBound(measurePrompt(request));
    const chat = 'messages' in request;
    const requestedOutput = requestedOutputTokens(request);
    let maxCost = 0n;
    for (const model of plan.route) {
      const outputTokens = chat ? (requestedOutput ?? model.max_output_tokens * choices(request)) : 0;
      // Deployments without a price of their own share the model's: one computation for all of them.
      let modelPriced = false;
      for (const deployment of model.deployments) {
        if (!deployment.pricing) {
          if (modelPriced) continue;
          modelPriced = true;
        }
        const price = priceAt(deployment.pricing ?? model.pricing, at);
        const cost = price ? maxCostMicros(price, promptTokens, outputTokens) : 0n;
        if (cost > maxCost) maxCost = cost;
      }
    }
    const reservation = await this.budgets.reserve(principal, context.requestId, maxCost);
    return new RequestSpend(reservation, context, (served) => priceAt(plan.servedPricing(served.trace), at));
  }
}
