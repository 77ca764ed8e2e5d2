import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CompletedRequest, RequestContext } from '@app/common';
import { LabelledCounter, LabelledHistogram } from './label-series';
import { operationName } from './operation-name';

/** One deployment's passive health, read at scrape time. */
export interface DeploymentHealthStats {
  deployment: string;
  /** Ejections since the process started. */
  ejections: number;
  /** Ejected now (cooling down, or waiting for its probe). */
  ejected: boolean;
}

/** The evidence writer's counters, read at scrape time. */
export interface EvidenceWriterStats {
  buffered: number;
  written: number;
  dropped: number;
  failedWrites: number;
}

/** The alerts' counters (this instance's, since start) and the outbox backlog (shared), read at scrape time. */
export interface AlertMetricsSource {
  /** Alerts stored, by kind. */
  raised(): Record<string, number>;
  /** Webhook attempts by outcome (`delivered`, `failed`). */
  deliveries(): Record<string, number>;
  /** Alerts lost (database unreachable and the buffer full). Should be 0. */
  dropped(): number;
  /** Deliveries owed to configured webhooks; undefined when the database cannot be asked (the last value stays). */
  backlog(): Promise<{ pending: number; failing: number } | undefined>;
}

// Bucket boundaries advised by the OpenTelemetry GenAI semantic conventions.
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const QUOTA_REJECTIONS = new Set(['rate_limit_exceeded', 'insufficient_quota']);
/** The `api` label of requests that were not model calls (`/v1/models`, unknown paths). */
const NO_API = 'none';

/**
 * The gateway's Prometheus metrics, one registry per app. Names follow the OpenTelemetry GenAI semantic
 * conventions where one exists (dots become underscores, the unit a suffix); the rest are `switchyard_*`.
 * Labels hold only bounded values: the inbound API (INBOUND_APIS or `none`), catalog model names, deployments,
 * status codes and error codes — never a key, a key id, a team or a client-chosen string. The per-request
 * metrics are `LabelledCounter`/`LabelledHistogram` (label values in `labelNames` order): a request's updates
 * find their series without building a label object or a key.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: LabelledCounter;
  private readonly duration: LabelledHistogram;
  private readonly timeToFirstToken: LabelledHistogram;
  private readonly overhead: LabelledHistogram;
  private readonly tokens: LabelledHistogram;
  private readonly cost: LabelledCounter;
  private readonly images: LabelledCounter;
  private readonly attempts: LabelledCounter;
  private readonly fallbacks: LabelledCounter;
  private readonly quotaRejections: LabelledCounter;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.requests = new LabelledCounter(
      'switchyard_requests_total',
      'Requests to /v1 (and unknown paths) by inbound API, operation, model, deployment, status and error code.',
      ['api', 'gen_ai_operation_name', 'gen_ai_request_model', 'deployment', 'http_response_status_code', 'error_type'],
      this.registry,
    );
    this.duration = new LabelledHistogram(
      'gen_ai_server_request_duration_seconds',
      'Time from request arrival to the end of the response; for streams, the end of the stream.',
      ['api', 'gen_ai_operation_name', 'gen_ai_request_model', 'error_type'],
      DURATION_BUCKETS,
      this.registry,
    );
    this.timeToFirstToken = new LabelledHistogram(
      'gen_ai_server_time_to_first_token_seconds',
      'Time from request arrival to the first streamed event sent to the client.',
      ['api', 'gen_ai_operation_name', 'gen_ai_request_model'],
      TTFT_BUCKETS,
      this.registry,
    );
    this.overhead = new LabelledHistogram(
      'switchyard_gateway_overhead_seconds',
      'Time the gateway added: until the response (streams: the first event), minus the time spent in upstream calls.',
      ['api', 'gen_ai_operation_name'],
      OVERHEAD_BUCKETS,
      this.registry,
    );
    this.tokens = new LabelledHistogram(
      'gen_ai_client_token_usage',
      'Tokens per request, by type (input, output), as reported by the upstream or estimated.',
      ['api', 'gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type'],
      TOKEN_BUCKETS,
      this.registry,
    );
    this.cost = new LabelledCounter(
      'switchyard_cost_micro_usd_total',
      'Cost of served requests in micro-USD, where known.',
      ['api', 'gen_ai_request_model'],
      this.registry,
    );
    this.images = new LabelledCounter(
      'switchyard_images_generated_total',
      'Images returned by image models (what image requests are charged for).',
      ['gen_ai_request_model'],
      this.registry,
    );
    this.attempts = new LabelledCounter(
      'switchyard_upstream_attempts_total',
      'Upstream calls by deployment, upstream status and error code.',
      ['deployment', 'http_response_status_code', 'error_type'],
      this.registry,
    );
    this.fallbacks = new LabelledCounter(
      'switchyard_fallbacks_total',
      'Requests served by a fallback model instead of the one requested, by what ended the requested model’s turn.',
      ['gen_ai_request_model', 'gen_ai_response_model', 'reason'],
      this.registry,
    );
    this.quotaRejections = new LabelledCounter(
      'switchyard_quota_rejections_total',
      'Requests refused by the gateway’s own rate limits (rate_limit_exceeded) or budgets (insufficient_quota).',
      ['reason'],
      this.registry,
    );
  }

  /** Records one finished request in every metric it touches. */
  observe(completed: CompletedRequest): void {
    const { context } = completed;
    const api = context.api ?? NO_API;
    const operation = operationName(completed.endpoint);
    const model = catalogModel(context);
    const errorType = context.error?.code ?? (completed.clientAborted ? 'client_aborted' : '');
    const trace = context.trace;
    const upstreamMs = trace?.attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0) ?? 0;
    const respondedAt = context.firstByteAt ?? completed.endedAt;

    this.requests.inc(
      1,
      api,
      operation,
      model,
      trace?.deployment ?? trace?.attempts.at(-1)?.deployment ?? '',
      completed.status,
      errorType,
    );
    this.duration.observe(seconds(completed.endedAt - context.receivedAt), api, operation, model, errorType);
    if (completed.stream && context.firstByteAt !== undefined) {
      this.timeToFirstToken.observe(seconds(context.firstByteAt - context.receivedAt), api, operation, model);
    }
    if (trace && trace.attempts.length > 0) {
      this.overhead.observe(Math.max(0, seconds(respondedAt - context.receivedAt - upstreamMs)), api, operation);
    }
    for (const attempt of trace?.attempts ?? []) {
      this.attempts.inc(1, attempt.deployment, attempt.status ?? '', attempt.errorCode ?? '');
    }
    if (trace?.fallbackReason) {
      this.fallbacks.inc(1, trace.modelRequested, trace.modelServed ?? '', trace.fallbackReason);
    }
    if (context.usage) {
      this.tokens.observe(context.usage.promptTokens, api, operation, model, 'input');
      this.tokens.observe(context.usage.completionTokens, api, operation, model, 'output');
    }
    if (context.costMicroUsd !== null) this.cost.inc(context.costMicroUsd, api, model);
    if (context.images) this.images.inc(context.images.count, model);
    if (context.error && QUOTA_REJECTIONS.has(context.error.code)) this.quotaRejections.inc(1, context.error.code);
  }

  /** Publishes whether this instance is ready (1) or not (0: database, catalog or draining), asked at each scrape. */
  watchReadiness(ready: () => Promise<boolean>): void {
    new Gauge({
      name: 'switchyard_ready',
      help: 'Whether this instance takes traffic, as GET /readyz answers: 1 ready, 0 not.',
      registers: [this.registry],
      async collect() {
        this.set((await ready()) ? 1 : 0);
      },
    });
  }

  /**
   * Publishes the fullest budget's spent share (0 to 1, above 1 when a charge overran), read at each scrape;
   * undefined (the database cannot be asked) keeps the last value, so /metrics answers through an outage.
   */
  watchBudgets(fullestShare: () => Promise<number | undefined>): void {
    new Gauge({
      name: 'switchyard_budget_fullest_ratio',
      help: 'The largest share of its limit any budget (team, project or key) has spent in its current period.',
      registers: [this.registry],
      async collect() {
        const share = await fullestShare();
        if (share !== undefined) this.set(share);
      },
    });
  }

  /** Publishes the deployments' ejections (consecutive failures past the threshold), read at each scrape. */
  watchDeploymentHealth(stats: () => DeploymentHealthStats[]): void {
    const registers = [this.registry];
    new Counter({
      name: 'switchyard_deployment_ejections_total',
      help: 'Times a deployment was ejected for consecutive failures.',
      labelNames: ['deployment'],
      registers,
      collect() {
        this.reset();
        for (const { deployment, ejections } of stats()) if (ejections > 0) this.inc({ deployment }, ejections);
      },
    });
    new Gauge({
      name: 'switchyard_deployment_ejected',
      help: 'Deployments ejected now (1), cooling down or waiting for the probe that readmits them.',
      labelNames: ['deployment'],
      registers,
      collect() {
        this.reset();
        for (const { deployment, ejected } of stats()) this.set({ deployment }, ejected ? 1 : 0);
      },
    });
  }

  /** Publishes the alert counters and the outbox backlog (`switchyard_alert_deliveries_pending`). */
  watchAlerts(source: AlertMetricsSource): void {
    const registers = [this.registry];
    const mirror = (name: string, help: string, label: string, counts: () => Record<string, number>) =>
      new Counter({
        name,
        help,
        labelNames: [label],
        registers,
        collect() {
          this.reset();
          for (const [value, count] of Object.entries(counts())) this.inc({ [label]: value }, count);
        },
      });
    mirror('switchyard_alerts_total', 'Alerts raised (stored once per condition), by kind.', 'kind', () =>
      source.raised(),
    );
    mirror(
      'switchyard_alert_deliveries_total',
      'Webhook delivery attempts, by outcome: delivered (2xx) or failed (retried with backoff).',
      'outcome',
      () => source.deliveries(),
    );
    new Counter({
      name: 'switchyard_alerts_dropped_total',
      help: 'Alerts lost: the database was unreachable and the in-memory buffer full. Should be 0.',
      registers,
      collect() {
        this.reset();
        this.inc(source.dropped());
      },
    });
    // Both gauges are collected in the same scrape (concurrently): one query answers them.
    let last = { pending: 0, failing: 0 };
    let reading: Promise<typeof last> | undefined;
    const backlog = () =>
      (reading ??= source
        .backlog()
        .then((read) => (last = read ?? last))
        .finally(() => (reading = undefined)));
    new Gauge({
      name: 'switchyard_alert_deliveries_pending',
      help: 'Alert deliveries the configured webhooks have not taken yet (all instances).',
      registers,
      async collect() {
        this.set((await backlog()).pending);
      },
    });
    new Gauge({
      name: 'switchyard_alert_deliveries_failing',
      help: 'Pending alert deliveries that failed ALERTS_DELIVERY_FAILING_ATTEMPTS times or more (still retried).',
      registers,
      async collect() {
        this.set((await backlog()).failing);
      },
    });
  }

  /** Publishes the evidence writer's buffer depth and counts (dropped rows should stay at 0). */
  watchEvidenceWriter(stats: () => EvidenceWriterStats): void {
    const registers = [this.registry];
    const mirror = (name: string, help: string, pick: (s: EvidenceWriterStats) => number) =>
      new Counter({
        name,
        help,
        registers,
        // The writer keeps the monotonic count; the counter shows it as of the scrape.
        collect() {
          this.reset();
          this.inc(pick(stats()));
        },
      });
    new Gauge({
      name: 'switchyard_evidence_buffer_rows',
      help: 'Request records waiting in memory to be written.',
      registers,
      collect() {
        this.set(stats().buffered);
      },
    });
    mirror('switchyard_evidence_written_rows_total', 'Request records written to the database.', (s) => s.written);
    mirror(
      'switchyard_evidence_dropped_rows_total',
      'Request records lost: buffer full, or unwritable at shutdown. Should be 0.',
      (s) => s.dropped,
    );
    mirror('switchyard_evidence_write_failures_total', 'Failed batch writes (each is retried).', (s) => s.failedWrites);
  }
}

/**
 * The requested model as a label, but only once routing accepted it as a catalog name or alias: a name
 * the catalog does not know is the client's free text and would let anyone create series at will.
 */
function catalogModel(context: RequestContext): string {
  const trace = context.trace;
  return trace && (trace.attempts.length > 0 || trace.modelServed) ? trace.modelRequested : '';
}

function seconds(ms: number): number {
  return ms / 1000;
}
