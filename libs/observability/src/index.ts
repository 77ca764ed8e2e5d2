export { ObservabilityModule, ObservabilityOptions } from './observability.module';
export { observabilityConfig } from './observability.config';
export { KnownSecrets } from './known-secrets';
export { assignRequestId } from './request-id';
export { RedactionInterceptor } from './redaction.interceptor';
export { REDACTED_PATHS } from './request-logging';
export { TimingInterceptor } from './timing.interceptor';
export { Redactor } from './redactor';
