import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '@app/common';
import { estimateInputTokens, loadTokenCounter, parseCountTokensRequest } from '@app/inbound';
import { ModelCallService } from '../model-call/model-call.service';
import type { GatewayCall } from '../pipeline/gateway-call';
import type { V1Api } from '../pipeline/v1-api';
import { anthropicHeaders } from './anthropic-headers';

/** Which count the client got: the upstream's own, or the gateway's estimate. */
const COUNT_SOURCE_HEADER = 'x-switchyard-token-count';

/**
 * `POST /v1/messages/count_tokens` (Claude Code asks before long turns): Anthropic's own count when the model
 * has a deployment that speaks Messages natively, else — or when that upstream fails, since a count is advice
 * a client should not lose a turn over — a local estimate (see estimateInputTokens). Never charged.
 */
@Injectable()
export class CountTokensApi implements V1Api {
  constructor(private readonly models: ModelCallService) {}

  async handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void> {
    const count = parseCountTokensRequest(request.body);
    const native = { native: count as unknown as Record<string, unknown>, headers: anthropicHeaders(request) };
    const counted = await this.models.countTokens(call, native, count.model).catch((error: unknown) => {
      if (error instanceof GatewayError && error.code.startsWith('upstream_')) return undefined;
      throw error;
    });
    if (counted !== undefined) {
      await reply.header(COUNT_SOURCE_HEADER, 'upstream').send({ input_tokens: counted });
      return;
    }
    await loadTokenCounter();
    await reply.header(COUNT_SOURCE_HEADER, 'estimate').send({ input_tokens: estimateInputTokens(count) });
  }
}
