import { Injectable } from '@nestjs/common';
import { ConfigService, ConfigType } from '@nestjs/config';
import { AuditSettings, AuditTrail } from '@app/audit';
import { authConfig } from '@app/auth';
import { GatewayError } from '@app/common';
import { Redactor } from '@app/observability';
import { PersistenceSettings } from '@app/persistence';
import { QuotaSettings } from '@app/quota';
import { ModelCatalogService } from '@app/routing';
import type { ServerSettings } from '../../server.config';
import { AdminActor } from '../shared/admin-actor';
import { catalogSummaryView } from './catalog-summary.view';
import { limitsView } from './limits.view';
import { reloadView } from './reload.view';

@Injectable()
export class ConfigAdminService {
  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
    private readonly redactor: Redactor,
    private readonly settings: ConfigService,
  ) {}

  /**
   * The catalog that serves now and this instance's effective limits, without a secret: what an auditor
   * checks and an operator compares across instances (the generation and load time tell a missed reload).
   */
  summary(_actor: AdminActor) {
    return {
      catalog: catalogSummaryView(this.catalog.loaded(), this.catalog.secrets()),
      limits: limitsView({
        // Each lib's settings, by their registerAs namespace, as the lib parsed them at start.
        server: this.settings.getOrThrow<ServerSettings>('server'),
        quota: this.settings.getOrThrow<QuotaSettings>('quota'),
        persistence: this.settings.getOrThrow<PersistenceSettings>('persistence'),
        audit: this.settings.getOrThrow<AuditSettings>('audit'),
        authCacheTtlMs: this.settings.getOrThrow<ConfigType<typeof authConfig>>('auth').cacheTtlMs,
      }),
    };
  }

  /**
   * Re-reads the catalog file. Accepted or rejected, the attempt is in the audit trail; a rejected file
   * answers 400 with the validation message, and the previous catalog keeps serving.
   */
  async reload(actor: AdminActor) {
    const view = await this.trail.transact(actor, async (tx) => {
      const attempt = reloadView(this.catalog.reload('api'), this.redactor);
      await tx.record({ action: 'config.reload', target: { type: 'config', id: null }, after: attempt });
      return attempt;
    });
    if (!view.accepted) {
      throw new GatewayError(
        'invalid_request_error',
        `The config file was rejected; the previous catalog keeps serving. ${view.error}`,
      );
    }
    return view;
  }
}
