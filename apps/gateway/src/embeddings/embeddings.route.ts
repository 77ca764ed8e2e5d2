import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmbeddingsRequest } from '@app/common';
import { invalid, requireModel, requireObject } from '../http/request-body';
import { GatewayService } from '../gateway.service';
import { gatewayCall } from '../http/gateway-call';

/** `POST /v1/embeddings`, served through the proxy pipeline (see ProxyRoutes). */
@Injectable()
export class EmbeddingsRoute {
  constructor(private readonly gateway: GatewayService) {}

  async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const embeddings = requireObject(request.body);
    requireModel(embeddings);
    const input = embeddings.input;
    if (input === undefined || input === null || input === '' || (Array.isArray(input) && input.length === 0)) {
      throw invalid('"input" is required: a string or an array of strings or token arrays.', 'input');
    }
    const result = await this.gateway.embeddings(gatewayCall(request, reply), embeddings as EmbeddingsRequest);
    await reply.headers(result.headers).send(result.body);
  }
}
