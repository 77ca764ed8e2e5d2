import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { ANOMALY_DETECTION_ACTOR, ApiKeyEntity, ApiKeyService, OnAnomalyAction, TenancyService } from '@app/auth';
import { keyView } from '../../admin/keys/key.view';
import { projectView } from '../../admin/tenancy/project.view';

const NOT_SUSPENDED = { suspended_at: null, suspended_reason: null, suspended_by: null };

/**
 * The `on_anomaly: suspend` action: suspends keys or a project as the anomaly detection's system actor, each
 * suspension audited (`key.suspend`, `project.suspend`) in the transaction that makes it. A key or project
 * an admin resumed after `notResumedSince` (the start of the window that looked anomalous) is left alone:
 * the admin has seen that window.
 */
@Injectable()
export class AnomalySuspension {
  constructor(
    private readonly apiKeys: ApiKeyService,
    private readonly tenancy: TenancyService,
    private readonly trail: AuditTrail,
  ) {}

  async actionOf(projectId: string): Promise<OnAnomalyAction> {
    return (await this.tenancy.getProject(projectId)).onAnomaly;
  }

  /** The keys it suspended (those already suspended, revoked or just resumed are not). */
  suspendKeys(ids: readonly string[], reason: string, notResumedSince: Date): Promise<ApiKeyEntity[]> {
    return this.trail.transact(ANOMALY_DETECTION_ACTOR, async (tx) => {
      const change = { reason, by: ANOMALY_DETECTION_ACTOR };
      const suspended = await this.apiKeys.suspend(ids, change, notResumedSince, tx);
      for (const key of suspended) {
        const after = keyView(key);
        await tx.record({
          action: 'key.suspend',
          target: { type: 'key', id: key.id },
          before: { ...after, ...NOT_SUSPENDED },
          after,
        });
      }
      return suspended;
    });
  }

  /** Whether it suspended the project (every key of it). */
  suspendProject(id: string, reason: string, notResumedSince: Date): Promise<boolean> {
    return this.trail.transact(ANOMALY_DETECTION_ACTOR, async (tx) => {
      const change = { reason, by: ANOMALY_DETECTION_ACTOR };
      const project = await this.tenancy.suspendProject(id, change, notResumedSince, tx);
      if (!project) return false;
      const after = projectView(project);
      await tx.record({
        action: 'project.suspend',
        target: { type: 'project', id },
        before: { ...after, ...NOT_SUSPENDED },
        after,
      });
      return true;
    });
  }
}
