import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ProvidersModule } from '@app/providers';
import { CatalogReloadTriggers } from './catalog/catalog-reload-triggers';
import { ModelCatalogService } from './catalog/model-catalog.service';
import { DeploymentHealth } from './health/deployment-health';
import { RetryBudget } from './retry/retry-budget';
import { RouterService } from './router.service';
import { routingConfig } from './routing.config';

@Module({
  imports: [ConfigModule.forFeature(routingConfig), ProvidersModule],
  providers: [ModelCatalogService, CatalogReloadTriggers, DeploymentHealth, RetryBudget, RouterService],
  exports: [ModelCatalogService, RouterService, DeploymentHealth],
})
export class RoutingModule {}
