import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { GatewayError } from '@app/common';
import { Redactor } from '@app/observability';
import { ModelCatalogService } from '@app/routing';
import { AdminActor } from '../shared/admin-actor';
import { reloadView } from './reload.view';

@Injectable()
export class ConfigAdminService {
  constructor(
    private readonly catalog: ModelCatalogService,
    private readonly trail: AuditTrail,
    private readonly redactor: Redactor,
  ) {}

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
