import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayService } from '../gateway.service';
import { gatewayCall } from '../http/gateway-call';
import { SseWriter } from '../sse-writer';
import { parseChatRequest } from './chat-request';

/** `POST /v1/chat/completions`, served through the proxy pipeline (see ProxyRoutes). */
@Injectable()
export class ChatRoute {
  constructor(private readonly gateway: GatewayService) {}

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const chat = parseChatRequest(request.body);
    const call = gatewayCall(request, reply);
    if (!chat.stream) {
      const result = await this.gateway.chat(call, chat);
      await reply.headers(result.headers).send(result.body);
      return;
    }
    const stream = await this.gateway.openChatStream(call, chat);
    reply.hijack();
    const writer = new SseWriter(reply.raw);
    writer.open(stream.headers);
    await stream.pump(writer);
  }
}
