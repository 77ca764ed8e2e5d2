import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '@app/common';
import {
  chatToMessage,
  messagesErrorBody,
  MessagesStreamEncoder,
  messagesToChatInTurns,
  parseMessagesRequestInTurns,
} from '@app/inbound';
import type { NativeMessagesEvent } from '@app/providers';
import { EncoderSink } from '../model-call/encoder-sink';
import { ModelCallService, StreamSink } from '../model-call/model-call.service';
import type { GatewayCall } from '../pipeline/gateway-call';
import { sendJsonAnswer } from '../pipeline/json-answer';
import { SseWriter } from '../pipeline/sse-writer';
import type { V1Api } from '../pipeline/v1-api';
import { anthropicHeaders } from './anthropic-headers';

/**
 * `POST /v1/messages`, Anthropic's Messages API (Claude Code, @anthropic-ai/sdk). An Anthropic deployment gets
 * the client's body as it is (cache_control, thinking, betas) and its answer or events go back unchanged; any
 * other deployment gets the chat translation, and its answer or stream is encoded back into Anthropic's message
 * and events. Errors leave in Anthropic's shape (the exception filter picks it by the route's API name).
 */
@Injectable()
export class MessagesApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const messages = await parseMessagesRequestInTurns(request.body);
    const { chat, dropped } = await messagesToChatInTurns(messages);
    const route = { native: messages as unknown as Record<string, unknown>, chat, headers: anthropicHeaders(request) };
    if (!messages.stream) {
      const { value, headers } = await this.models.messages(call, route, dropped);
      const body = value.kind === 'native' ? value.value.body : chatToMessage(value.value.body, messages.model);
      sendJsonAnswer(reply, headers, body);
      return;
    }
    const stream = await this.models.openMessagesStream(call, route, dropped);
    reply.hijack();
    const writer = new SseWriter(reply.raw, call);
    writer.open(stream.headers);
    if (stream.kind === 'native') await stream.pump(new NativeEventsSink(writer));
    else await stream.pump(new EncoderSink(writer, new MessagesStreamEncoder(messages.model)));
  }
}

/** Anthropic's own events, written as received; a failure mid-stream ends with Anthropic's `error` event. */
class NativeEventsSink implements StreamSink<NativeMessagesEvent> {
  constructor(private readonly writer: SseWriter) {}

  get clientGone(): boolean {
    return this.writer.clientGone;
  }

  event(event: NativeMessagesEvent): Promise<void> {
    return this.writer.write([{ event: event.event, data: event.data }]);
  }

  finish(): void {
    this.writer.end([]);
  }

  fail(error: GatewayError): void {
    this.writer.end([{ event: 'error', data: JSON.stringify(messagesErrorBody(error)) }]);
  }
}
