export { AuthModule } from './auth.module';
export { authConfig } from './auth.config';
export { ApiKeyService, CreateApiKeyInput, KeyAccess, SuspensionChange } from './keys/api-key.service';
export { AuthTransaction } from './auth-transaction';
export { ANOMALY_DETECTION_ACTOR } from './keys/suspension';
export { invalidIpRange } from './keys/ip-allow-list';
export { AdminKeyService, CreateAdminTokenInput, ENV_ADMIN_KEY_ID } from './keys/admin-key.service';
export { TenancyService, TenancyLevel } from './tenancy/tenancy.service';
export {
  Public,
  AdminOnly,
  AdminAccess,
  AdminAccessRule,
  ADMIN_ACCESS,
  ROUTE_ACCESS,
  RouteAccess,
} from './guards/access.decorator';
export { AdminCall, AdminCallLog } from './guards/admin-call-log';
export { maskKey } from './keys/key-format';
export { presentedKeyPrefix } from './guards/presented-key';
export { ApiKeyEntity } from './entities/api-key.entity';
export { AdminKeyEntity } from './entities/admin-key.entity';
export { ProjectEntity, ON_ANOMALY_ACTIONS, OnAnomalyAction } from './entities/project.entity';
export { TeamEntity } from './entities/team.entity';

import { AdminKeyEntity } from './entities/admin-key.entity';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ProjectEntity } from './entities/project.entity';
import { TeamEntity } from './entities/team.entity';

/** The tables this lib maps, for the app to hand to the persistence module. */
export const AUTH_ENTITIES = [TeamEntity, ProjectEntity, ApiKeyEntity, AdminKeyEntity];
