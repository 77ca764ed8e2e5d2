import { CreateTenancyAndKeys1764288000000 } from './1764288000000-create-tenancy-and-keys';
import { CreateEvidenceAndAudit1764460800000 } from './1764460800000-create-evidence-and-audit';
import { AddAccessLists1764547200000 } from './1764547200000-add-access-lists';
import { CreateBudgetsAndRateLimits1764547200001 } from './1764547200001-create-budgets-and-rate-limits';
import { AddInboundApi1764633600000 } from './1764633600000-add-inbound-api';
import { AddUsageCorrections1764720000000 } from './1764720000000-add-usage-corrections';
import { AddAdminRoles1764806400000 } from './1764806400000-add-admin-roles';
import { AddDroppedToRecords1764892800000 } from './1764892800000-add-dropped-to-records';
import { AddSuspensionAndAnomalyRollups1764979200001 } from './1764979200001-add-suspension-and-anomaly-rollups';
import { CreateAlerts1764979200000 } from './1764979200000-create-alerts';
import { CreateIdempotencyRecords1764979200002 } from './1764979200002-create-idempotency-records';
import { AddImagesToRecords1764979200003 } from './1764979200003-add-images-to-records';
import { IndexRecordFilters1764979200004 } from './1764979200004-index-record-filters';

/** Every migration, in order. Committed and run at start-up; the schema is never synchronized. */
export const MIGRATIONS = [
  CreateTenancyAndKeys1764288000000,
  CreateEvidenceAndAudit1764460800000,
  AddAccessLists1764547200000,
  CreateBudgetsAndRateLimits1764547200001,
  AddInboundApi1764633600000,
  AddUsageCorrections1764720000000,
  AddAdminRoles1764806400000,
  AddDroppedToRecords1764892800000,
  CreateAlerts1764979200000,
  AddSuspensionAndAnomalyRollups1764979200001,
  CreateIdempotencyRecords1764979200002,
  AddImagesToRecords1764979200003,
  IndexRecordFilters1764979200004,
];
