export { RoutingModule } from './routing.module';
export { routingConfig } from './routing.config';
export { ModelCatalogService } from './catalog/model-catalog.service';
export { RouterService, RouteCall, RoutedStream, deploymentName } from './router.service';
export { CatalogConfig, ModelConfig, DeploymentConfig, Timeouts, catalogSchema } from './catalog/catalog.schema';
export { loadCatalog } from './catalog/load-catalog';
