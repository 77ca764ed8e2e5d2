import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RequestRecordWriter, requestRecordFrom } from '@app/audit';
import { preciseNow, requestContext } from '@app/common';
import { GatewayMetrics } from '@app/observability';
import { AnomalyDetectors } from '../alerts/detectors/anomaly-detectors';
import { completedRequest } from './completed-request';

/**
 * Not calls to the API: the operations endpoints, the admin API, which has its own audit trail, and the
 * console's page and script files.
 */
const UNRECORDED_PATH = /^\/(healthz|readyz|metrics)\/?$|^\/(admin|console)(\/|$)/;

/**
 * Exactly one evidence record (and one set of metric observations) per API request, rejected ones and
 * base-URL mistakes included, made when the response has really ended: for a stream that is its last
 * event, the client's disconnect, or an upstream failure, whenever the relay behind it has also finished.
 */
@Injectable()
export class RequestEvidence implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RequestEvidence.name);
  /** Records waiting for their handler to finish; shutdown waits for them before the writer's last flush. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly records: RequestRecordWriter,
    private readonly metrics: GatewayMetrics,
    private readonly anomalies: AnomalyDetectors,
  ) {}

  onModuleInit(): void {
    this.metrics.watchEvidenceWriter(() => this.records.stats);
  }

  /** Called once the response has closed (normal end, stream end, or the client leaving). */
  responseClosed(request: FastifyRequest, reply: FastifyReply): void {
    if (!UNRECORDED_PATH.test(request.url.split('?')[0])) this.track(this.record(request, reply, preciseNow()));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.pending);
  }

  private track(recording: Promise<void>): void {
    this.pending.add(recording);
    void recording.finally(() => this.pending.delete(recording));
  }

  private async record(request: FastifyRequest, reply: FastifyReply, endedAt: number): Promise<void> {
    try {
      // After a client abort the relay still settles usage and cost; the record waits for it.
      await requestContext(request.raw).handled;
      const completed = completedRequest(request, reply.raw, endedAt);
      const record = requestRecordFrom(completed);
      this.records.add(record);
      this.metrics.observe(completed);
      this.anomalies.observe(record, request.headers);
    } catch (error) {
      this.logger.error({ err: error, requestId: request.id }, 'could not record a request');
    }
  }
}
