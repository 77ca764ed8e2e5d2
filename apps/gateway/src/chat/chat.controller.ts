import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayService } from '../gateway.service';
import { gatewayCall } from '../http/gateway-call';
import { SseWriter } from '../sse-writer';
import { parseChatRequest } from './chat-request';

@Controller('v1')
export class ChatController {
  constructor(private readonly gateway: GatewayService) {}

  @Post('chat/completions')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const chat = parseChatRequest(body);
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
