import { Injectable } from '@nestjs/common';
import {
  CancelSignal,
  ChatCompletion,
  ChatCompletionRequest,
  ClientDisconnectedError,
  EmbeddingsRequest,
  EmbeddingsResponse,
  GatewayError,
  preciseNow,
  Principal,
  providerUsage,
  RequestContext,
  estimatedUsage,
} from '@app/common';
import { Redactor } from '@app/observability';
import type { StreamEvent } from '@app/providers';
import { ModelCatalogService, ModelConfig, RouterService } from '@app/routing';
import { routeHeaders } from './http/route-headers';
import { modelAccessDenial } from './model-access';
import { SpendService } from './spend/spend.service';
import type { SseWriter } from './sse-writer';

/** One authenticated request on its way through the gateway. */
export interface GatewayCall {
  principal: Principal;
  context: RequestContext;
  /** Aborted with `ClientDisconnectedError` when the client goes away. */
  signal: CancelSignal;
}

export interface GatewayReply<T> {
  body: T;
  headers: Record<string, string>;
}

/** A stream whose upstream has produced its first content; `pump` relays the rest to the client. */
export interface OpenedStream {
  headers: Record<string, string>;
  pump(writer: SseWriter): Promise<void>;
}

/**
 * Tells one request's story in order: which model the caller may use, the budget it reserves, how it is
 * routed, what it cost, and what goes back to the client.
 */
@Injectable()
export class GatewayService {
  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly router: RouterService,
    private readonly redactor: Redactor,
    private readonly spend: SpendService,
  ) {}

  async chat(call: GatewayCall, request: ChatCompletionRequest): Promise<GatewayReply<ChatCompletion>> {
    const model = this.admit(call, request.model);
    const spend = await this.spend.reserve(call.principal, call.context, model, request);
    const result = await spend.releaseOnFailure(this.router.chat(model, request, this.routeCall(call)));
    if (result.usage) call.context.usage = providerUsage(result.usage);
    await spend.settle();
    return { body: result.body, headers: routeHeaders(call.context.trace, result.droppedParams) };
  }

  async embeddings(call: GatewayCall, request: EmbeddingsRequest): Promise<GatewayReply<EmbeddingsResponse>> {
    const model = this.admit(call, request.model);
    const spend = await this.spend.reserve(call.principal, call.context, model, request);
    const result = await spend.releaseOnFailure(this.router.embeddings(model, request, this.routeCall(call)));
    call.context.usage = providerUsage(result.body.usage);
    await spend.settle();
    return { body: result.body, headers: routeHeaders(call.context.trace) };
  }

  async openChatStream(call: GatewayCall, request: ChatCompletionRequest): Promise<OpenedStream> {
    const model = this.admit(call, request.model);
    const spend = await this.spend.reserve(call.principal, call.context, model, request);
    const stream = await spend.releaseOnFailure(this.router.chatStream(model, request, this.routeCall(call)));
    const clientWantsUsage = request.stream_options?.include_usage === true;
    return {
      headers: routeHeaders(call.context.trace, stream.droppedParams),
      pump: async (writer) => {
        let streamedChars = 0;
        try {
          for await (const event of stream.events) {
            // The last usage seen is the stream's usage, also when the client leaves before the end.
            if (event.chunk.usage) call.context.usage = providerUsage(event.chunk.usage);
            streamedChars += generatedChars(event);
            const data = forClient(event, clientWantsUsage);
            if (data === undefined) continue;
            call.context.firstByteAt ??= preciseNow();
            await writer.data(data);
          }
          writer.done();
        } catch (error) {
          if (error instanceof ClientDisconnectedError || writer.clientGone) return;
          const failure = this.redactor.error(error);
          call.context.error = failure instanceof GatewayError ? failure : internalError();
          writer.fail(call.context.error.toBody());
        } finally {
          // Cut short before the usage chunk: the evidence gets an estimate, marked as such.
          call.context.usage ??= estimatedUsage(promptChars(request), streamedChars);
          // The upstream answered, so the request is charged: by its usage, or in full when none came.
          await spend.settle();
        }
      },
    };
  }

  /** The models this caller may use, each with the names it answers to. */
  visibleModels(principal: Principal): ModelConfig[] {
    return this.catalog.models().filter((model) => modelAccessDenial(principal, model) === null);
  }

  /** Resolves the requested model and checks the caller may use it. */
  resolveFor(principal: Principal, name: string): ModelConfig {
    const model = this.catalog.resolve(name);
    if (!model) {
      throw new GatewayError('model_not_found', `The model "${name}" does not exist. GET /v1/models lists the models your key can use.`, {
        param: 'model',
      });
    }
    const denial = modelAccessDenial(principal, model, name);
    if (denial) throw new GatewayError('model_not_allowed', denial, { param: 'model' });
    return model;
  }

  private admit(call: GatewayCall, name: string): ModelConfig {
    call.context.modelRequested = name;
    call.context.trace = { modelRequested: name, attempts: [] };
    return this.resolveFor(call.principal, name);
  }

  private routeCall(call: GatewayCall) {
    return {
      requestId: call.context.requestId,
      signal: call.signal,
      trace: call.context.trace!,
      mayUse: (model: ModelConfig) => modelAccessDenial(call.principal, model) === null,
    };
  }
}

/**
 * The text of an event as the client should see it. The gateway always asks upstreams for usage; a client
 * that did not ask gets neither the extra usage-only chunk nor usage fields on content chunks.
 */
function forClient(event: StreamEvent, clientWantsUsage: boolean): string | undefined {
  const { chunk } = event;
  if (clientWantsUsage || !chunk.usage) return event.raw ?? JSON.stringify(chunk);
  if (!chunk.choices || chunk.choices.length === 0) return undefined;
  const { usage: _usage, ...withoutUsage } = chunk;
  return JSON.stringify(withoutUsage);
}

/** Characters the model generated in one chunk: text, reasoning and tool-call arguments. */
function generatedChars({ chunk }: StreamEvent): number {
  let chars = 0;
  for (const choice of chunk.choices ?? []) {
    const delta = choice.delta ?? {};
    chars += (typeof delta.content === 'string' ? delta.content.length : 0) + (typeof delta.reasoning_content === 'string' ? delta.reasoning_content.length : 0);
    for (const call of delta.tool_calls ?? []) chars += call.function?.arguments?.length ?? 0;
  }
  return chars;
}

/** Characters of the prompt's text content. */
function promptChars(request: ChatCompletionRequest): number {
  return request.messages.reduce((sum, message) => {
    const content = message.content;
    if (typeof content === 'string') return sum + content.length;
    if (!Array.isArray(content)) return sum;
    return sum + content.reduce((n, part) => n + (part.type === 'text' && typeof part.text === 'string' ? part.text.length : 0), 0);
  }, 0);
}

function internalError(): GatewayError {
  return new GatewayError('internal_error', 'The gateway failed while streaming; the request id identifies the details in its log.');
}
