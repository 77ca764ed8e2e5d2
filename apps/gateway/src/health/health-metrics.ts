import { Injectable, OnModuleInit } from '@nestjs/common';
import { GatewayMetrics } from '@app/observability';
import { DeploymentHealth } from '@app/routing';
import { Readiness } from './readiness';

/**
 * Readiness and deployment ejections as metrics, read when Prometheus scrapes: nothing on a request's path.
 * The libs cannot see each other, so the app hands the metrics their readers.
 */
@Injectable()
export class HealthMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly readiness: Readiness,
    private readonly deployments: DeploymentHealth,
  ) {}

  onModuleInit(): void {
    this.metrics.watchReadiness(async () => (await this.readiness.check()).status === 'ready');
    this.metrics.watchDeploymentHealth(() => this.deployments.snapshot());
  }
}
