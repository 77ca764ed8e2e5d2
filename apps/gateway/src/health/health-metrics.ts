import { Injectable, OnModuleInit } from '@nestjs/common';
import { GatewayMetrics } from '@app/observability';
import { BudgetAdminService } from '@app/quota';
import { DeploymentHealth } from '@app/routing';
import { Readiness } from './readiness';

/**
 * Readiness, deployment ejections and the fullest budget as metrics, read when Prometheus scrapes: nothing on a request's path.
 * The libs cannot see each other, so the app hands the metrics their readers.
 */
@Injectable()
export class HealthMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly readiness: Readiness,
    private readonly deployments: DeploymentHealth,
    private readonly budgets: BudgetAdminService,
  ) {}

  onModuleInit(): void {
    this.metrics.watchReadiness(async () => (await this.readiness.check()).status === 'ready');
    this.metrics.watchDeploymentHealth(() => this.deployments.snapshot());
    this.metrics.watchBudgets(() => this.budgets.fullestShare().catch(() => undefined));
  }
}
