import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmbeddingsRequest } from '@app/common';
import { invalid, requireModel, requireObject } from '../http/request-body';
import { GatewayService } from '../gateway.service';
import { gatewayCall } from '../http/gateway-call';

@Controller('v1')
export class EmbeddingsController {
  constructor(private readonly gateway: GatewayService) {}

  @Post('embeddings')
  @HttpCode(200)
  async create(@Body() body: unknown, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const embeddings = requireObject(body);
    requireModel(embeddings);
    const input = embeddings.input;
    if (input === undefined || input === null || input === '' || (Array.isArray(input) && input.length === 0)) {
      throw invalid('"input" is required: a string or an array of strings or token arrays.', 'input');
    }
    const result = await this.gateway.embeddings(gatewayCall(request, reply), embeddings as EmbeddingsRequest);
    await reply.headers(result.headers).send(result.body);
  }
}
