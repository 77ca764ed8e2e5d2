import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionRequest, GatewayError } from '@app/common';
import type { StreamEvent } from '@app/providers';
import { ModelCallService, StreamSink } from '../model-call/model-call.service';
import type { GatewayCall } from '../pipeline/gateway-call';
import { sendJsonAnswer } from '../pipeline/json-answer';
import { SseWriter } from '../pipeline/sse-writer';
import type { V1Api } from '../pipeline/v1-api';
import { parseChatRequest } from './chat-request';

/** `POST /v1/chat/completions`: the canonical form itself, so requests and answers pass through as they are. */
@Injectable()
export class ChatCompletionsApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const chat = await parseChatRequest(request.body);
    if (!chat.stream) {
      const { value, headers } = await this.models.chat(call, chat);
      sendJsonAnswer(reply, headers, value.body);
      return;
    }
    const stream = await this.models.openChatStream(call, chat);
    reply.hijack();
    const writer = new SseWriter(reply.raw, call);
    writer.open(stream.headers);
    await stream.pump(new ChatCompletionsSink(writer, chat));
  }
}

/**
 * OpenAI's own stream: `data:` chunks, then `data: [DONE]`, or an error event instead of `[DONE]`. The
 * gateway always asks upstreams for usage; a client that did not ask gets neither the extra usage-only chunk
 * nor usage fields on content chunks.
 */
class ChatCompletionsSink implements StreamSink {
  private readonly clientWantsUsage: boolean;

  constructor(
    private readonly writer: SseWriter,
    request: ChatCompletionRequest,
  ) {
    this.clientWantsUsage = request.stream_options?.include_usage === true;
  }

  get clientGone(): boolean {
    return this.writer.clientGone;
  }

  async event(event: StreamEvent): Promise<void> {
    const data = this.forClient(event);
    if (data !== undefined) await this.writer.write([{ data }]);
  }

  finish(): void {
    this.writer.end([{ data: '[DONE]' }]);
  }

  /** An OpenAI-shaped error event, which the SDKs raise as an APIError. */
  fail(error: GatewayError): void {
    this.writer.end([{ data: JSON.stringify(error.toBody()) }]);
  }

  private forClient(event: StreamEvent): string | undefined {
    const { chunk } = event;
    if (this.clientWantsUsage || !chunk.usage) return event.raw ?? JSON.stringify(chunk);
    if (!chunk.choices || chunk.choices.length === 0) return undefined;
    const { usage: _usage, ...withoutUsage } = chunk;
    return JSON.stringify(withoutUsage);
  }
}
