import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { chatToMessage, MessagesStreamEncoder, messagesToChat, parseMessagesRequest } from '@app/inbound';
import { EncoderSink } from '../model-call/encoder-sink';
import { ModelCallService } from '../model-call/model-call.service';
import type { GatewayCall } from '../pipeline/gateway-call';
import { SseWriter } from '../pipeline/sse-writer';
import type { V1Api } from '../pipeline/v1-api';

/**
 * `POST /v1/messages`, Anthropic's Messages API (Claude Code, @anthropic-ai/sdk): translated to the canonical
 * chat form for the model call, and the answer or stream back into Anthropic's message and events. Errors
 * leave in Anthropic's shape (the exception filter picks it by the route's API name).
 */
@Injectable()
export class MessagesApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const messages = parseMessagesRequest(request.body);
    const { chat, dropped } = messagesToChat(messages);
    if (!messages.stream) {
      const { value, headers } = await this.models.chat(call, chat, dropped);
      await reply.headers(headers).send(chatToMessage(value.body, messages.model));
      return;
    }
    const stream = await this.models.openChatStream(call, chat, dropped);
    reply.hijack();
    const writer = new SseWriter(reply.raw, call.context);
    writer.open(stream.headers);
    await stream.pump(new EncoderSink(writer, new MessagesStreamEncoder(messages.model)));
  }
}
