import type { Type } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InboundApiName } from '@app/common';
import type { GatewayCall } from './gateway-call';

/**
 * One inbound API served by the `/v1` pipeline: parses its wire request into the canonical form, has the
 * model called, and writes the answer (or stream) in its own wire format. The pipeline has already run the
 * global guards (the key, rate limits) and wraps it in the global interceptors and exception filter.
 */
export interface V1Api {
  handle(request: FastifyRequest, reply: FastifyReply, call: GatewayCall): Promise<void>;
}

/** One entry of the `/v1` route table. */
export interface V1Route {
  method: 'POST';
  url: string;
  /** The API's name in evidence records, metrics and logs; it also picks the error shape. */
  name: InboundApiName;
  api: Type<V1Api>;
}
