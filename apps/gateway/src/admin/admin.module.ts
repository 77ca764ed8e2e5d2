import { Module } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { AuthModule } from '@app/auth';
import { QuotaModule } from '@app/quota';
import { RoutingModule } from '@app/routing';
import { GatewayAlertsModule } from '../alerts/gateway-alerts.module';
import { RedactionModule } from '../redaction.module';
import { AccessAdminService } from './access/access-admin.service';
import { AccessController } from './access/access.controller';
import { AlertsAdminService } from './alerts/alerts-admin.service';
import { AlertsController } from './alerts/alerts.controller';
import { AuditEventsAdminService } from './audit-events/audit-events-admin.service';
import { AuditEventsController } from './audit-events/audit-events.controller';
import { ConfigAdminService } from './config/config-admin.service';
import { ConfigReloadAuditService } from './config/config-reload-audit.service';
import { ConfigController } from './config/config.controller';
import { KeysAdminService } from './keys/keys-admin.service';
import { KeysController } from './keys/keys.controller';
import { QuotaAdminService } from './quota/quota-admin.service';
import { QuotaScopeService } from './quota/quota-scope.service';
import { QuotaController } from './quota/quota.controller';
import { RequestsAdminService } from './requests/requests-admin.service';
import { RequestsController } from './requests/requests.controller';
import { AdminCallLogModule } from './shared/admin-call-log.module';
import { TeamScope } from './shared/team-scope.service';
import { TenancyAdminService } from './tenancy/tenancy-admin.service';
import { TenancyController } from './tenancy/tenancy.controller';
import { TokensAdminService } from './tokens/tokens-admin.service';
import { TokensController } from './tokens/tokens.controller';
import { UsageAdminService } from './usage/usage-admin.service';
import { UsageController } from './usage/usage.controller';

/**
 * The admin API under `/admin`, one folder per area. Controllers only map HTTP to one service call, and
 * each handler declares its `@AdminAccess` rule, which the key guard enforces for the admin's role (and
 * records the call in the access log) before it runs. Each `*-admin.service.ts` parses and checks the
 * input, keeps a team admin inside its teams (`TeamScope`, filtered lists), makes the change and its audit
 * event in one transaction (AuditTrail.transact), and answers with the views (`*.view.ts`) next to it.
 * Methods take the acting admin as their first argument.
 *
 * The lib modules are imported again for their exports (Nest shares one instance of each); the app imports
 * them first, so the global guards keep their order.
 */
@Module({
  imports: [
    AuthModule,
    QuotaModule,
    RoutingModule,
    AuditModule,
    RedactionModule,
    AdminCallLogModule,
    GatewayAlertsModule,
  ],
  controllers: [
    TenancyController,
    KeysController,
    RequestsController,
    UsageController,
    AuditEventsController,
    ConfigController,
    QuotaController,
    AccessController,
    TokensController,
    AlertsController,
  ],
  providers: [
    TenancyAdminService,
    KeysAdminService,
    RequestsAdminService,
    UsageAdminService,
    AuditEventsAdminService,
    ConfigAdminService,
    ConfigReloadAuditService,
    QuotaAdminService,
    QuotaScopeService,
    AccessAdminService,
    TokensAdminService,
    AlertsAdminService,
    TeamScope,
  ],
})
export class AdminModule {}
