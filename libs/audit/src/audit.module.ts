import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { auditConfig } from './audit.config';
import { RequestRecordMaintenance } from './requests/request-record.maintenance';
import { RequestRecordPartitions } from './requests/request-record.partitions';
import { RequestRecordQuery } from './requests/request-record.query';
import { RequestRecordStore } from './requests/request-record.store';
import { RequestRecordWriter } from './requests/request-record.writer';
import { AccessLog } from './trail/access-log';
import { AuditTrail } from './trail/audit-trail';
import { UsageReport } from './usage/usage-report';

@Module({
  imports: [ConfigModule.forFeature(auditConfig)],
  providers: [
    RequestRecordPartitions,
    RequestRecordStore,
    RequestRecordWriter,
    RequestRecordMaintenance,
    RequestRecordQuery,
    UsageReport,
    AuditTrail,
    AccessLog,
  ],
  exports: [RequestRecordWriter, RequestRecordQuery, UsageReport, AuditTrail, AccessLog],
})
export class AuditModule {}
