export { AuditModule } from './audit.module';
export { auditConfig, AuditSettings } from './audit.config';
export { RequestRecord, AttemptRecord, requestRecordFrom } from './requests/request-record';
export { RequestRecordWriter, RecordWriterStats } from './requests/request-record.writer';
export {
  RequestRecordQuery,
  RecordFilter,
  RecordPage,
  STATUS_CLASSES,
  StatusClass,
} from './requests/request-record.query';
export { exportChunks, EXPORT_FORMATS, ExportFormat } from './requests/record-export';
export { parseCallerTags, CALLER_TAGS_HEADER } from './requests/caller-tags';
export { UsageReport, UsageQuery, UsageGrouping, USAGE_GROUPINGS } from './usage/usage-report';
export { AuditTrail, AuditedTransaction, AuditEventFilter } from './trail/audit-trail';
export { AuditActor, AuditChange, AuditEvent } from './trail/audit-event';
export { AccessLog, AccessCall, AccessEvent, AccessEventFilter } from './trail/access-log';
export { ChainVerification } from './trail/hash-chain';
