import { Injectable } from '@nestjs/common';
import {
  ChatCompletionRequest,
  ClientDisconnectedError,
  EmbeddingsRequest,
  EmbeddingsResponse,
  estimatedUsage,
  GatewayError,
  ImageGenerationRequest,
  ImagesResponse,
  ImagesUsage,
  providerUsage,
  TokenUsage,
  Usage,
} from '@app/common';
import { Redactor } from '@app/observability';
import type { ChatResult, NativeMessagesEvent, StreamEvent } from '@app/providers';
import {
  MessagesRouteRequest,
  ModelCatalogService,
  ModelKind,
  RetryScope,
  RoutedMessages,
  RoutePlan,
  RouterService,
} from '@app/routing';
import { routeHeaders } from '../../http/route-headers';
import type { GatewayCall } from '../pipeline/gateway-call';
import { correctedChatUsage, correctedEmbeddingsUsage } from './client-usage';
import type { RequestSpend } from './request-spend';
import { SpendService } from './spend.service';
import { chatEstimate, embeddingsEstimate, generatedChars, messagesEstimate, promptChars } from './usage-estimate';

export interface ModelReply<T> {
  value: T;
  /** The route headers (served model, deployment, attempts, fallback reason, dropped parameters). */
  headers: Record<string, string>;
}

/** Where a stream's events go: an inbound API's encoder in front of the client's connection. */
export interface StreamSink<E = StreamEvent> {
  /** One upstream event; resolves when the client can take more. */
  event(event: E): Promise<void>;
  /** The upstream finished normally. */
  finish(): void;
  /** The stream failed after it had started: the API's in-band error. */
  fail(error: GatewayError): void;
  readonly clientGone: boolean;
}

/** A stream whose upstream has produced its first content; `pump` relays the rest through a sink. */
export interface OpenedStream<E = StreamEvent> {
  headers: Record<string, string>;
  pump(sink: StreamSink<E>): Promise<void>;
}

/** A Messages stream in its deployment's form: Anthropic's own events, or canonical chunks to encode. */
export type OpenedMessagesStream =
  ({ kind: 'native' } & OpenedStream<NativeMessagesEvent>) | ({ kind: 'chat' } & OpenedStream);

/** How a relay reads its events: the usage they report and the characters generated (for an estimate). */
interface EventReading<E> {
  usage(event: E): Usage | undefined;
  /** The event as the client gets it when its usage report had to be corrected (`clamped`). */
  withCorrectedUsage(event: E, usage: TokenUsage): E;
  generatedChars(event: E): number;
}

const CHAT_EVENTS: EventReading<StreamEvent> = {
  usage: (event) => event.chunk.usage ?? undefined,
  withCorrectedUsage: (event, usage) => ({ chunk: { ...event.chunk, usage: correctedChatUsage(usage) } }),
  generatedChars,
};
const NATIVE_MESSAGES_EVENTS: EventReading<NativeMessagesEvent> = {
  // Only message_delta's usage is final: message_start reports one output token, so a stream cut after it would
  // otherwise be charged as if the answer had been one token long, instead of in full (usage unknown).
  usage: (event) => (event.event === 'message_delta' ? event.usage : undefined),
  // Anthropic's own events go to an Anthropic client byte for byte, as the upstream sent them.
  withCorrectedUsage: (event) => event,
  // Content events' JSON: an over-estimate of the text, used only when the stream never reported usage.
  generatedChars: (event) => (event.content ? event.data.length : 0),
};

/**
 * One model call's story, the same for every inbound API: the route plan (which model the caller may use,
 * its permitted fallbacks, their prices), the budget it reserves, the routed upstream call, and the
 * settlement of what it cost. Inbound APIs translate to and from the canonical Chat Completions form
 * around it; the Messages API may be served natively by Anthropic deployments.
 */
@Injectable()
export class ModelCallService {
  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly router: RouterService,
    private readonly redactor: Redactor,
    private readonly spend: SpendService,
  ) {}

  /** `dropped`: what the inbound API's translation left out, reported with the adapter's own. */
  async chat(
    call: GatewayCall,
    request: ChatCompletionRequest,
    dropped: readonly string[] = [],
  ): Promise<ModelReply<ChatResult>> {
    const plan = this.plan(call, request.model);
    const spend = await this.reserve(call, plan, request);
    const result = await spend.releaseOnFailure(this.router.chat(plan, request, this.routeCall(call)));
    const usage = (call.context.usage = providerUsage(result.usage) ?? chatEstimate(request, result.body));
    if (usage.source === 'clamped') result.body.usage = correctedChatUsage(usage);
    await spend.settle();
    return { value: result, headers: this.routeHeaders(call, [...dropped, ...result.droppedParams]) };
  }

  async embeddings(call: GatewayCall, request: EmbeddingsRequest): Promise<ModelReply<EmbeddingsResponse>> {
    const plan = this.plan(call, request.model, 'embedding');
    const spend = await this.reserve(call, plan, request);
    const result = await spend.releaseOnFailure(this.router.embeddings(plan, request, this.routeCall(call)));
    const usage = (call.context.usage = providerUsage(result.body.usage) ?? embeddingsEstimate(request));
    if (usage.source !== 'provider') result.body.usage = correctedEmbeddingsUsage(usage);
    await spend.settle();
    return { value: result.body, headers: routeHeaders(call.context.trace) };
  }

  /**
   * An image generation: reserved at the per-image price of the requested size × `n` before any upstream call,
   * routed with retries and fallbacks only where the upstream surely did not start on the job (an image may
   * be paid for upstream the moment it was asked for), charged for the images returned.
   */
  async images(call: GatewayCall, request: ImageGenerationRequest): Promise<ModelReply<ImagesResponse>> {
    const plan = this.plan(call, request.model, 'image');
    const spend = await this.reserveWith(plan, () =>
      this.spend.reserveImages(call.principal, call.context, plan, request),
    );
    const result = await spend.releaseOnFailure(
      this.router.images(plan, request, this.routeCall(call, 'refusals_only')),
    );
    call.context.images = { count: result.body.data.length, size: request.size ?? null };
    call.context.usage = imageTokens(result.body.usage);
    await spend.settle();
    return { value: result.body, headers: routeHeaders(call.context.trace) };
  }

  async openChatStream(
    call: GatewayCall,
    request: ChatCompletionRequest,
    dropped: readonly string[] = [],
  ): Promise<OpenedStream> {
    const plan = this.plan(call, request.model);
    const spend = await this.reserve(call, plan, request);
    const stream = await spend.releaseOnFailure(this.router.chatStream(plan, request, this.routeCall(call)));
    return {
      headers: this.routeHeaders(call, [...dropped, ...stream.droppedParams]),
      pump: (sink) => this.relay(call, request, spend, stream.events, CHAT_EVENTS, sink),
    };
  }

  /**
   * An Anthropic Messages call: sized and charged by its chat translation, answered natively by a deployment
   * that speaks Messages (nothing was dropped then) or as a chat completion by any other.
   */
  async messages(
    call: GatewayCall,
    request: MessagesRouteRequest,
    dropped: readonly string[],
  ): Promise<ModelReply<RoutedMessages>> {
    const plan = this.plan(call, request.chat.model);
    const spend = await this.reserve(call, plan, request.chat);
    const routed = await spend.releaseOnFailure(this.router.messages(plan, request, this.routeCall(call)));
    call.context.usage = providerUsage(routed.value.usage) ?? messagesEstimate(request.chat, routed);
    await spend.settle();
    const translated = routed.kind === 'chat' ? [...dropped, ...routed.value.droppedParams] : [];
    return { value: routed, headers: this.routeHeaders(call, translated) };
  }

  async openMessagesStream(
    call: GatewayCall,
    request: MessagesRouteRequest,
    dropped: readonly string[],
  ): Promise<OpenedMessagesStream> {
    const plan = this.plan(call, request.chat.model);
    const spend = await this.reserve(call, plan, request.chat);
    const stream = await spend.releaseOnFailure(this.router.messagesStream(plan, request, this.routeCall(call)));
    if (stream.kind === 'native') {
      return {
        kind: 'native',
        headers: routeHeaders(call.context.trace),
        pump: (sink) => this.relay(call, request.chat, spend, stream.events, NATIVE_MESSAGES_EVENTS, sink),
      };
    }
    return {
      kind: 'chat',
      headers: this.routeHeaders(call, [...dropped, ...stream.droppedParams]),
      pump: (sink) => this.relay(call, request.chat, spend, stream.events, CHAT_EVENTS, sink),
    };
  }

  /**
   * The upstream's own input-token count for a Messages body, when the model has a deployment that speaks
   * Messages natively; undefined otherwise. No budget: counting is free.
   */
  async countTokens(
    call: GatewayCall,
    request: Omit<MessagesRouteRequest, 'chat'>,
    model: string,
  ): Promise<number | undefined> {
    return this.router.countTokens(this.plan(call, model), request, this.routeCall(call));
  }

  /**
   * Relays a served stream to its sink; the usage it reports (the last seen) is what is charged, also when the
   * client leaves before the end, and a stream cut short before any usage is charged in full, its evidence
   * carrying an estimate marked as such.
   */
  private async relay<E>(
    call: GatewayCall,
    request: ChatCompletionRequest,
    spend: RequestSpend,
    events: AsyncIterable<E>,
    reading: EventReading<E>,
    sink: StreamSink<E>,
  ): Promise<void> {
    let streamedChars = 0;
    try {
      for await (const received of events) {
        let event: E = received;
        const reported = reading.usage(event);
        if (reported) {
          const usage = (call.context.usage = providerUsage(reported));
          if (usage?.source === 'clamped') event = reading.withCorrectedUsage(event, usage);
        }
        streamedChars += reading.generatedChars(event);
        await sink.event(event);
      }
      sink.finish();
    } catch (error) {
      if (error instanceof ClientDisconnectedError || sink.clientGone) return;
      const failure = this.redactor.error(error);
      call.context.error = failure instanceof GatewayError ? failure : internalError();
      sink.fail(call.context.error);
    } finally {
      call.context.usage ??= estimatedUsage(promptChars(request), streamedChars);
      // The upstream answered, so the request is charged: by its usage, or in full when none came.
      await spend.settle();
    }
  }

  /**
   * Plans the route once for a model of the kind the route serves (chat unless named); the request context
   * names the model asked for, and the trace starts empty.
   */
  private plan(call: GatewayCall, name: string, kind: ModelKind = 'chat'): RoutePlan {
    call.context.modelRequested = name;
    call.context.trace = { modelRequested: name, attempts: [] };
    return this.catalog.plan(call.principal, name, { kind, route: call.route });
  }

  private reserve(call: GatewayCall, plan: RoutePlan, request: ChatCompletionRequest | EmbeddingsRequest) {
    return this.reserveWith(plan, () => this.spend.reserve(call.principal, call.context, plan, request));
  }

  /** The budget reservation; a refused one (402) gives the plan back, as nothing will be routed. */
  private async reserveWith(plan: RoutePlan, reserve: () => Promise<RequestSpend>): Promise<RequestSpend> {
    try {
      return await reserve();
    } catch (error) {
      plan.release();
      throw error;
    }
  }

  /** The route headers, with what was dropped named there and kept for the evidence record. */
  private routeHeaders(call: GatewayCall, dropped: readonly string[]): Record<string, string> {
    if (dropped.length > 0) call.context.dropped = dropped;
    return routeHeaders(call.context.trace, dropped);
  }

  private routeCall(call: GatewayCall, retryScope: RetryScope = 'any_failure') {
    return { requestId: call.context.requestId, signal: call.signal, trace: call.context.trace!, retryScope };
  }
}

/** GPT image models report tokens (`input_tokens`, `output_tokens`): kept for the record, never what is charged. */
function imageTokens(usage: ImagesUsage | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  return providerUsage({
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
  });
}

function internalError(): GatewayError {
  return new GatewayError(
    'internal_error',
    'The gateway failed while streaming; the request id identifies the details in its log.',
  );
}
