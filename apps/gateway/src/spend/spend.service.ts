import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ChatCompletionRequest, Clock, EmbeddingsRequest, PricePoint, Principal, RequestContext } from '@app/common';
import { BudgetService, choices, maxCostMicros, measurePrompt, priceAt, promptTokenBound, requestedOutputTokens } from '@app/quota';
import { deploymentName, ModelCatalogService, ModelConfig } from '@app/routing';
import { RequestSpend } from './request-spend';

/**
 * Prices a request against the catalog for the quota lib: before routing, the most it can cost on any
 * deployment that may serve it (the model's and its fallbacks'); after, what it cost where it was served.
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
    const unpriced = this.catalog.models().filter((model) => model.deployments.some((d) => !(d.pricing ?? model.pricing)));
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
    model: ModelConfig,
    request: ChatCompletionRequest | EmbeddingsRequest,
  ): Promise<RequestSpend> {
    const at = this.clock.now();
    const promptTokens = promptTokenBound(measurePrompt(request));
    const chat = 'messages' in request;
    const requestedOutput = requestedOutputTokens(request);
    let maxCost = 0n;
    for (const candidate of this.servingCandidates(model)) {
      const outputTokens = chat ? (requestedOutput ?? candidate.max_output_tokens * choices(request)) : 0;
      // Deployments without a price of their own share the model's: one computation for all of them.
      let modelPriced = false;
      for (const deployment of candidate.deployments) {
        if (!deployment.pricing) {
          if (modelPriced) continue;
          modelPriced = true;
        }
        const price = priceAt(deployment.pricing ?? candidate.pricing, at);
        const cost = price ? maxCostMicros(price, promptTokens, outputTokens) : 0n;
        if (cost > maxCost) maxCost = cost;
      }
    }
    const reservation = await this.budgets.reserve(principal, context.requestId, maxCost);
    return new RequestSpend(reservation, context, (served) => this.servedPrice(served, at));
  }

  /** The model and, transitively, its fallbacks: every model that may end up serving the request. */
  private servingCandidates(model: ModelConfig): ModelConfig[] {
    if (model.fallbacks.length === 0) return [model];
    const seen = new Map<string, ModelConfig>([[model.name, model]]);
    for (const candidate of seen.values()) {
      for (const name of candidate.fallbacks) {
        const fallback = this.catalog.resolve(name);
        if (fallback && !seen.has(fallback.name)) seen.set(fallback.name, fallback);
      }
    }
    return [...seen.values()];
  }

  /** The price of the deployment that served, in force when the request was admitted. */
  private servedPrice(context: RequestContext, at: Date): PricePoint | null {
    const served = context.trace?.modelServed ? this.catalog.resolve(context.trace.modelServed) : undefined;
    if (!served) return null;
    const deployment = served.deployments.find((d) => deploymentName(d) === context.trace?.deployment);
    return priceAt(deployment?.pricing ?? served.pricing, at);
  }
}
