export { AlertsModule, AlertsModuleOptions } from './alerts.module';
export { alertsConfig, AlertsSettings } from './alerts.config';
export {
  ALERT_KINDS,
  AlertKind,
  ALERT_SUBJECT_TYPES,
  AlertSubjectType,
  AlertSubject,
  NewAlert,
  Alert,
  AlertDelivery,
  AlertPayload,
} from './alert';
export { AlertsService, RaiseOutcome } from './alerts.service';
export { AlertsStats } from './alerts-stats';
export { AlertsConfigSource } from './alerts-config.source';
export { AlertsQuery, AlertWithDelivery } from './alerts.query';
export { AlertFilter } from './outbox/alert.store';
export { OutboxBacklog } from './outbox/delivery.store';
