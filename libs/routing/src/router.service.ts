import { Injectable } from '@nestjs/common';
import { ChatCompletionRequest, EmbeddingsRequest } from '@app/common';
import type { ChatResult, ChatTarget, EmbeddingsResult, StreamEvent } from '@app/providers';
import { DeploymentHealth } from './health/deployment-health';
import type { RoutePlan } from './plan/route-plan';
import { RetryBudget } from './retry/retry-budget';
import { Attempt, RouteCall, RouteWalk, ServedRoute } from './route/route-walk';
import { readUntilFirstContent, relay } from './stream/first-content';

export interface RoutedStream {
  /** Starts with the events held back until the first content chunk. */
  events: AsyncIterable<StreamEvent>;
  droppedParams: readonly string[];
}

/**
 * Routes one planned call to an upstream: selection, retries, fallbacks, timeouts and health, recorded
 * in the call's trace (see RouteWalk). The same walk serves chat, embeddings and streams.
 */
@Injectable()
export class RouterService {
  constructor(
    private readonly health: DeploymentHealth,
    private readonly budget: RetryBudget,
  ) {}

  async chat(plan: RoutePlan, request: ChatCompletionRequest, call: RouteCall): Promise<ChatResult> {
    const served = await this.walk(plan, call, (a) => a.adapter.chat(request, chatTarget(a), a.context));
    served.end();
    return served.value;
  }

  async embeddings(plan: RoutePlan, request: EmbeddingsRequest, call: RouteCall): Promise<EmbeddingsResult> {
    const served = await this.walk(plan, call, (a) => a.adapter.embeddings(request, { upstreamModel: a.deployment.model }, a.context));
    served.end();
    return served.value;
  }

  /**
   * Opens a stream and reads until its first content chunk before returning, so that a failure before any
   * content reaches the client is retried like any other; after that the stream never switches upstream,
   * and a failure ends it with an error the gateway relays in-band.
   */
  async chatStream(plan: RoutePlan, request: ChatCompletionRequest, call: RouteCall): Promise<RoutedStream> {
    const served = await this.walk(plan, call, (a) => readUntilFirstContent(a.adapter.chatStream(request, chatTarget(a), a.context)));
    return { droppedParams: served.value.droppedParams, events: relay(served.value, served.end) };
  }

  /** Walks the plan's route; the walk releases the plan when the response has ended. */
  private walk<T>(plan: RoutePlan, call: RouteCall, run: (attempt: Attempt) => Promise<T>): Promise<ServedRoute<T>> {
    return new RouteWalk(plan, call, run, this.health, this.budget).walk();
  }
}

/** The served model's settings: after a fallback, the fallback's own output cap. */
function chatTarget(attempt: Attempt): ChatTarget {
  return { upstreamModel: attempt.deployment.model, defaultMaxTokens: attempt.model.max_output_tokens };
}
