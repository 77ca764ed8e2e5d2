import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  ChatCompletionRequest,
  Clock,
  EmbeddingsRequest,
  ImageGenerationRequest,
  PricePoint,
  Principal,
  RequestContext,
} from '@app/common';
import {
  BudgetService,
  choices,
  imageCostMicros,
  maxCostMicros,
  measurePromptInTurns,
  priceAt,
  promptTokenBound,
  requestedOutputTokens,
} from '@app/quota';
import { ModelCatalogService, ModelConfig, RoutePlan } from '@app/routing';
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
    const promptTokens = promptTokenBound(await measurePromptInTurns(request));
    const chat = 'messages' in request;
    const requestedOutput = requestedOutputTokens(request);
    const maxCost = mostExpensive(plan, at, (price, model) => {
      const outputTokens = chat ? (requestedOutput ?? model.max_output_tokens * choices(request)) : 0;
      return maxCostMicros(price, promptTokens, outputTokens);
    });
    return this.hold(principal, context, plan, at, maxCost);
  }

  /** An image request: `n` images of the requested size at the dearest per-image price the plan may serve it at. */
  async reserveImages(
    principal: Principal,
    context: RequestContext,
    plan: RoutePlan,
    request: ImageGenerationRequest,
  ): Promise<RequestSpend> {
    const at = this.clock.now();
    const maxCost = mostExpensive(plan, at, (price) => imageCostMicros(price, request.size, request.n ?? 1));
    return this.hold(principal, context, plan, at, maxCost);
  }

  private async hold(
    principal: Principal,
    context: RequestContext,
    plan: RoutePlan,
    at: Date,
    maxCost: bigint,
  ): Promise<RequestSpend> {
    const reservation = await this.budgets.reserve(principal, context.requestId, maxCost);
    return new RequestSpend(reservation, context, (served) => priceAt(plan.servedPricing(served.trace), at));
  }
}

/** The highest `cost` over every priced deployment the plan may call, at the prices in force at `at`. */
function mostExpensive(plan: RoutePlan, at: Date, cost: (price: PricePoint, model: ModelConfig) => bigint): bigint {
  let maxCost = 0n;
  for (const model of plan.route) {
    // Deployments without a price of their own share the model's: one computation for all of them.
    let modelPriced = false;
    for (const deployment of model.deployments) {
      if (!deployment.pricing) {
        if (modelPriced) continue;
        modelPriced = true;
      }
      const price = priceAt(deployment.pricing ?? model.pricing, at);
      const candidate = price ? cost(price, model) : 0n;
      if (candidate > maxCost) maxCost = candidate;
    }
  }
  return maxCost;
}
