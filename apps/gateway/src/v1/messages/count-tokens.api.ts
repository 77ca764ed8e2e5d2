import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { estimateInputTokens, parseCountTokensRequest } from '@app/inbound';
import { ModelCallService } from '../model-call/model-call.service';
import type { GatewayCall } from '../pipeline/gateway-call';
import type { V1Api } from '../pipeline/v1-api';

/**
 * `POST /v1/messages/count_tokens`: the prompt's input tokens, counted locally (see estimateInputTokens), for a
 * model the key may use. Claude Code asks this before long turns; it calls no upstream and charges no budget.
 */
@Injectable()
export class CountTokensApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const count = parseCountTokensRequest(request.body);
    this.models.admit(call, count.model);
    await reply.send({ input_tokens: estimateInputTokens(count) });
  }
}
