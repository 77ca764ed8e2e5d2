import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ProvidersModule } from '@app/providers';
import { ModelCatalogService } from './catalog/model-catalog.service';
import { RouterService } from './router.service';
import { routingConfig } from './routing.config';

@Module({
  imports: [ConfigModule.forFeature(routingConfig), ProvidersModule],
  providers: [ModelCatalogService, RouterService],
  exports: [ModelCatalogService, RouterService],
})
export class RoutingModule {}
