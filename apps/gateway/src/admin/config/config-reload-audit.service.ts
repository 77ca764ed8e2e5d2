import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { AuditTrail } from '@app/audit';
import { Redactor } from '@app/observability';
import { CatalogReloadEvent, ModelCatalogService } from '@app/routing';
import { reloadView } from './reload.view';

/**
 * Catalog reloads nobody asked for through the API — SIGHUP, a changed config file — go into the audit
 * trail too, with a `system:` actor. (Reloads through POST /admin/config/reload are recorded there, with
 * the admin token as actor.)
 */
@Injectable()
export class ConfigReloadAuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ConfigReloadAuditService.name);
  private subscription?: Subscription;

  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
    private readonly redactor: Redactor,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.catalog.reloads.subscribe((event) => {
      if (event.trigger !== 'api') void this.record(event);
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private async record(event: CatalogReloadEvent): Promise<void> {
    try {
      await this.trail.transact(`system:${event.trigger}`, (tx) =>
        tx.record({
          action: 'config.reload',
          target: { type: 'config', id: null },
          after: reloadView(event, this.redactor),
        }),
      );
    } catch (error) {
      this.logger.error({ err: error, trigger: event.trigger }, 'could not record a config reload in the audit trail');
    }
  }
}
