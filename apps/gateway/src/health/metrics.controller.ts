import { Controller, Get, Headers, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/auth';
import { GatewayError } from '@app/common';
import { GatewayMetrics, MetricsAccess } from '@app/observability';

/** Prometheus scrape endpoint: public, unless METRICS_TOKEN is set. */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly access: MetricsAccess,
  ) {}

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    if (!this.access.allows(authorization)) {
      throw new GatewayError('invalid_api_key', 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".');
    }
    reply.header('content-type', this.metrics.registry.contentType);
    return this.metrics.registry.metrics();
  }
}
