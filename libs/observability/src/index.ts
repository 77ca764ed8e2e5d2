export { ObservabilityModule, ObservabilityOptions } from './observability.module';
export { observabilityConfig, ObservabilitySettings } from './observability.config';
export { KnownSecrets } from './known-secrets';
export { assignRequestId } from './request-id';
export { RedactionInterceptor } from './redaction.interceptor';
export { REDACTED_PATHS } from './request-logging';
export { RequestLog } from './request-log';
export { HandlerCompletionInterceptor } from './handler-completion.interceptor';
export { isPromiseInterceptor, PromiseInterceptor } from './promise-interceptor';
export { serverTiming, serverTimingHook } from './server-timing';
export { Redactor } from './redactor';
export {
  GatewayMetrics,
  EvidenceWriterStats,
  DeploymentHealthStats,
  AlertMetricsSource,
} from './metrics/gateway-metrics';
export { MetricsAccess } from './metrics/metrics-access';
