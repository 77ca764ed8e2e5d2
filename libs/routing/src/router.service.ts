import { Injectable } from '@nestjs/common';
import { ChatCompletionRequest, EmbeddingsRequest, GatewayError, ImageGenerationRequest } from '@app/common';
import type {
  ChatResult,
  ChatStream,
  ChatTarget,
  EmbeddingsResult,
  ImagesResult,
  NativeMessagesEvent,
  NativeMessagesHeaders,
  NativeMessagesResult,
  StreamEvent,
} from '@app/providers';
import { DeploymentHealth } from './health/deployment-health';
import type { RoutePlan } from './plan/route-plan';
import { RetryBudget } from './retry/retry-budget';
import { Attempt, RouteCall, RouteWalk, ServedRoute } from './route/route-walk';
import { chatEventCarriesContent, nativeEventCarriesContent } from './stream/carries-content';
import { HeldStream, readUntilFirstContent, relay } from './stream/first-content';

export interface RoutedStream {
  /** Starts with the events held back until the first content chunk. */
  events: AsyncIterable<StreamEvent>;
  droppedParams: readonly string[];
}

/**
 * An Anthropic Messages request in both forms: the client's own body, for deployments that speak Messages
 * natively, and its Chat Completions translation, for every other deployment.
 */
export interface MessagesRouteRequest {
  native: Record<string, unknown>;
  chat: ChatCompletionRequest;
  /** The client's anthropic-version / anthropic-beta, forwarded to native upstreams only. */
  headers: NativeMessagesHeaders;
}

/** Which form the serving deployment answered in: the Messages answer itself, or a chat completion to translate. */
export type RoutedMessages = { kind: 'native'; value: NativeMessagesResult } | { kind: 'chat'; value: ChatResult };

/**
 * A Messages stream in the form its deployment speaks. One stream never changes form: once served it stays on
 * its deployment, so the caller picks its relay once.
 */
export type RoutedMessagesStream =
  { kind: 'native'; events: AsyncIterable<NativeMessagesEvent> } | ({ kind: 'chat' } & RoutedStream);

type HeldMessagesStream =
  | { kind: 'native'; stream: HeldStream<NativeMessagesEvent> }
  | { kind: 'chat'; stream: HeldStream<StreamEvent, ChatStream> };

/**
 * Routes one planned call to an upstream: selection, retries, fallbacks, timeouts and health, recorded
 * in the call's trace (see RouteWalk). The same walk serves chat, messages, embeddings and streams.
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
    const served = await this.walk(plan, call, (a) =>
      a.adapter.embeddings(request, { upstreamModel: a.deployment.model }, a.context),
    );
    served.end();
    return served.value;
  }

  /**
   * An image generation on the plan's image deployments (the catalog deploys image models only on providers
   * that generate images). What a failure may be followed by is the call's `retryScope`.
   */
  async images(plan: RoutePlan, request: ImageGenerationRequest, call: RouteCall): Promise<ImagesResult> {
    const served = await this.walk(plan, call, (a) => {
      const images = a.adapter.images;
      if (!images) throw new GatewayError('internal_error', `Provider "${a.adapter.id}" generates no images.`);
      return images.generate(request, { upstreamModel: a.deployment.model }, a.context);
    });
    served.end();
    return served.value;
  }

  /**
   * An Anthropic Messages call: each attempt goes natively to a deployment that speaks Messages, and as chat
   * to any other, so one route may mix both (a fallback from Anthropic to an OpenAI model, say).
   */
  async messages(plan: RoutePlan, request: MessagesRouteRequest, call: RouteCall): Promise<RoutedMessages> {
    const served = await this.walk(plan, call, async (a): Promise<RoutedMessages> => {
      const native = a.adapter.messages;
      if (native)
        return {
          kind: 'native',
          value: await native.create(request.native, chatTarget(a), a.context, request.headers),
        };
      return { kind: 'chat', value: await a.adapter.chat(request.chat, chatTarget(a), a.context) };
    });
    served.end();
    return served.value;
  }

  /**
   * The upstream's own token count for a Messages body, from the requested model's deployments that speak
   * Messages natively (retries and health as for any call; no fallback, whose count would be another
   * model's). Undefined, with nothing called, when the model has no such deployment.
   */
  async countTokens(
    plan: RoutePlan,
    request: Omit<MessagesRouteRequest, 'chat'>,
    call: RouteCall,
  ): Promise<number | undefined> {
    const native = plan.model.deployments.filter((deployment) => plan.catalog.adapter(deployment.provider).messages);
    if (native.length === 0) {
      plan.release();
      return undefined;
    }
    const served = await this.walk(plan.only({ ...plan.model, deployments: native }), call, (a) =>
      a.adapter.messages!.countTokens(request.native, chatTarget(a), a.context, request.headers),
    );
    served.end();
    return served.value;
  }

  /**
   * Opens a stream and reads until its first content chunk before returning, so that a failure before any
   * content reaches the client is retried like any other; after that the stream never switches upstream,
   * and a failure ends it with an error the gateway relays in-band.
   */
  async chatStream(plan: RoutePlan, request: ChatCompletionRequest, call: RouteCall): Promise<RoutedStream> {
    const served = await this.walk(plan, call, (a) =>
      readUntilFirstContent(a.adapter.chatStream(request, chatTarget(a), a.context), chatEventCarriesContent),
    );
    return {
      droppedParams: served.value.opened.droppedParams,
      events: relay(served.value, (failure) => served.end(failure)),
    };
  }

  /** `messages` as a stream, held until its first content exactly as `chatStream` is. */
  async messagesStream(plan: RoutePlan, request: MessagesRouteRequest, call: RouteCall): Promise<RoutedMessagesStream> {
    const served = await this.walk(plan, call, async (a): Promise<HeldMessagesStream> => {
      const native = a.adapter.messages;
      if (native) {
        const opening = native.stream(request.native, chatTarget(a), a.context, request.headers);
        return { kind: 'native', stream: await readUntilFirstContent(opening, nativeEventCarriesContent) };
      }
      return {
        kind: 'chat',
        stream: await readUntilFirstContent(
          a.adapter.chatStream(request.chat, chatTarget(a), a.context),
          chatEventCarriesContent,
        ),
      };
    });
    return relayMessages(served);
  }

  /** Walks the plan's route; the walk releases the plan when the response has ended. */
  private walk<T>(plan: RoutePlan, call: RouteCall, run: (attempt: Attempt) => Promise<T>): Promise<ServedRoute<T>> {
    return new RouteWalk(plan, call, run, this.health, this.budget).walk();
  }
}

function relayMessages(served: ServedRoute<HeldMessagesStream>): RoutedMessagesStream {
  const { value } = served;
  const onEnd = (failure?: unknown) => served.end(failure);
  if (value.kind === 'native') return { kind: 'native', events: relay(value.stream, onEnd) };
  return { kind: 'chat', droppedParams: value.stream.opened.droppedParams, events: relay(value.stream, onEnd) };
}

/** The served model's settings: after a fallback, the fallback's own output cap. */
function chatTarget(attempt: Attempt): ChatTarget {
  return { upstreamModel: attempt.deployment.model, defaultMaxTokens: attempt.model.max_output_tokens };
}
