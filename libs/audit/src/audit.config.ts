import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';

const schema = z.object({
  EVIDENCE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(10).max(250).default(200),
  EVIDENCE_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  EVIDENCE_BUFFER_MAX_ROWS: z.coerce.number().int().min(100).max(1_000_000).default(50_000),
  EVIDENCE_SHUTDOWN_FLUSH_MS: z.coerce.number().int().min(0).default(10_000),
  EVIDENCE_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(90),
});

export interface AuditSettings {
  /** Longest a request record waits in memory before its batch is written. */
  flushIntervalMs: number;
  /** Rows per INSERT; a full batch is written at once. */
  batchSize: number;
  /** Records held while the database is unreachable; beyond it new records are dropped (and counted). */
  bufferMaxRows: number;
  /** How long shutdown keeps retrying to write what is buffered. */
  shutdownFlushMs: number;
  /** Request records older than this are deleted, a day's partition at a time. */
  retentionDays: number;
}

export const auditConfig = registerAs('audit', (): AuditSettings => {
  const env = parseEnv('audit', schema);
  return {
    flushIntervalMs: env.EVIDENCE_FLUSH_INTERVAL_MS,
    batchSize: env.EVIDENCE_BATCH_SIZE,
    bufferMaxRows: env.EVIDENCE_BUFFER_MAX_ROWS,
    shutdownFlushMs: env.EVIDENCE_SHUTDOWN_FLUSH_MS,
    retentionDays: env.EVIDENCE_RETENTION_DAYS,
  };
});
