import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EmbeddingsRequest } from '@app/common';
import { ModelCallService } from '../model-call/model-call.service';
import { invalid, requireModel, requireObject } from '../pipeline/body-checks';
import type { GatewayCall } from '../pipeline/gateway-call';
import { sendJsonAnswer } from '../pipeline/json-answer';
import type { V1Api } from '../pipeline/v1-api';

/** `POST /v1/embeddings`. */
@Injectable()
export class EmbeddingsApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const embeddings = requireObject(request.body);
    requireModel(embeddings);
    const input = embeddings.input;
    if (input === undefined || input === null || input === '' || (Array.isArray(input) && input.length === 0)) {
      throw invalid('"input" is required: a string or an array of strings or token arrays.', 'input');
    }
    const { value, headers } = await this.models.embeddings(call, embeddings as EmbeddingsRequest);
    sendJsonAnswer(reply, headers, value);
  }
}
