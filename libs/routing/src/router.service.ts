import { Injectable } from '@nestjs/common';
import {
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingsRequest,
  GatewayError,
  RouteAttempt,
  RouteTrace,
} from '@app/common';
import type { ChatResult, EmbeddingsResult, ProviderAdapter, StreamEvent, UpstreamCallContext } from '@app/providers';
import { DeploymentConfig, ModelConfig } from './catalog/catalog.schema';
import { ModelCatalogService } from './catalog/model-catalog.service';

/** The caller's side of a routed call. */
export interface RouteCall {
  requestId: string;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** Filled in as the route is walked; complete even when the call fails. */
  trace: RouteTrace;
}

export interface RoutedStream {
  /** Starts with the events held back until the first content chunk. */
  events: AsyncIterable<StreamEvent>;
  droppedParams: readonly string[];
}

interface Attempt {
  deployment: DeploymentConfig;
  adapter: ProviderAdapter;
  context: UpstreamCallContext;
  /** Stops the request's total-time clock. */
  finish(): void;
}

/**
 * Walks a model's route: picks a deployment, applies its timeouts, calls the provider adapter and records
 * each attempt in the trace.
 */
@Injectable()
export class RouterService {
  constructor(private readonly catalog: ModelCatalogService) {}

  async chat(model: ModelConfig, request: ChatCompletionRequest, call: RouteCall): Promise<ChatResult> {
    return this.attempt(model, call, (a) =>
      a.adapter.chat(request, { upstreamModel: a.deployment.model, defaultMaxTokens: model.max_output_tokens }, a.context),
    );
  }

  async embeddings(model: ModelConfig, request: EmbeddingsRequest, call: RouteCall): Promise<EmbeddingsResult> {
    return this.attempt(model, call, (a) => a.adapter.embeddings(request, { upstreamModel: a.deployment.model }, a.context));
  }

  /**
   * Opens a stream and reads until its first content chunk before returning, so that a failure before any
   * content reaches the client is still an ordinary error response (and, with retries, invisible).
   */
  async chatStream(model: ModelConfig, request: ChatCompletionRequest, call: RouteCall): Promise<RoutedStream> {
    let finishAttempt = () => {};
    const opened = await this.attempt(
      model,
      call,
      async (a) => {
        const stream = await a.adapter.chatStream(
          request,
          { upstreamModel: a.deployment.model, defaultMaxTokens: model.max_output_tokens },
          a.context,
        );
        const iterator = stream[Symbol.asyncIterator]();
        const held: StreamEvent[] = [];
        try {
          for (;;) {
            const next = await iterator.next();
            if (next.done) break;
            held.push(next.value);
            if (carriesContent(next.value.chunk)) break;
          }
        } catch (error) {
          await iterator.return?.();
          throw error;
        }
        finishAttempt = a.finish;
        return { iterator, held, droppedParams: stream.droppedParams };
      },
      { keepClockRunning: true },
    );
    return {
      droppedParams: opened.droppedParams,
      events: (async function* () {
        try {
          yield* opened.held;
          for (;;) {
            const next = await opened.iterator.next();
            if (next.done) return;
            yield next.value;
          }
        } finally {
          finishAttempt();
          await opened.iterator.return?.();
        }
      })(),
    };
  }

  private async attempt<T>(
    model: ModelConfig,
    call: RouteCall,
    run: (attempt: Attempt) => Promise<T>,
    options: { keepClockRunning?: boolean } = {},
  ): Promise<T> {
    const deployment = this.pick(model);
    const adapter = this.catalog.adapter(deployment.provider);
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new GatewayError('upstream_timeout', `The request exceeded its total time limit of ${model.timeouts.total_ms} ms.`)),
      model.timeouts.total_ms,
    );
    const finish = () => clearTimeout(timer);
    const context: UpstreamCallContext = {
      requestId: call.requestId,
      signal: AbortSignal.any([call.signal, deadline.signal]),
      ttfbMs: model.timeouts.ttfb_ms,
      idleMs: model.timeouts.idle_ms,
    };
    const record: RouteAttempt = {
      deployment: deploymentName(deployment),
      provider: deployment.provider,
      upstreamModel: deployment.model,
      durationMs: 0,
    };
    call.trace.attempts.push(record);
    const started = performance.now();
    try {
      const result = await run({ deployment, adapter, context, finish });
      record.status = 200;
      call.trace.modelServed = model.name;
      call.trace.deployment = record.deployment;
      if (!options.keepClockRunning) finish();
      return result;
    } catch (error) {
      finish();
      if (error instanceof GatewayError) {
        record.errorCode = error.code;
        record.status = error.options.upstreamStatus;
      }
      throw error;
    } finally {
      record.durationMs = Math.round(performance.now() - started);
    }
  }

  /** The best-priority deployments, chosen among by weight. */
  private pick(model: ModelConfig): DeploymentConfig {
    const best = Math.min(...model.deployments.map((d) => d.priority));
    const candidates = model.deployments.filter((d) => d.priority === best);
    let ticket = Math.random() * candidates.reduce((sum, d) => sum + d.weight, 0);
    for (const candidate of candidates) {
      ticket -= candidate.weight;
      if (ticket < 0) return candidate;
    }
    return candidates[candidates.length - 1];
  }
}

export function deploymentName(deployment: DeploymentConfig): string {
  return `${deployment.provider}/${deployment.model}`;
}

/** True for a chunk the client would notice: text, a tool call, a refusal, reasoning or a finish. */
function carriesContent(chunk: ChatCompletionChunk): boolean {
  return chunk.choices?.some((choice) => {
    const delta = choice.delta ?? {};
    return (
      choice.finish_reason != null ||
      (typeof delta.content === 'string' && delta.content.length > 0) ||
      (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) ||
      Boolean(delta.refusal) ||
      Boolean(delta.reasoning_content)
    );
  }) ?? false;
}
