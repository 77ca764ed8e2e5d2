import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ModelCallService } from '../model-call/model-call.service';
import type { GatewayCall } from '../pipeline/gateway-call';
import { sendJsonAnswer } from '../pipeline/json-answer';
import type { V1Api } from '../pipeline/v1-api';
import { parseImageRequest } from './image-request';

/**
 * `POST /v1/images/generations`, OpenAI's wire format. The answer (image URLs or base64) goes to the client
 * as the upstream sent it; only the count and size of the images are kept, for the charge and the evidence.
 */
@Injectable()
export class ImagesApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const { value, headers } = await this.models.images(call, parseImageRequest(request.body));
    sendJsonAnswer(reply, headers, value);
  }
}
