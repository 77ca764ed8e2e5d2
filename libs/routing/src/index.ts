export { RoutingModule } from './routing.module';
export { routingConfig } from './routing.config';
export { ModelCatalogService, CatalogReloadEvent, LoadedCatalog, ReloadTrigger } from './catalog/model-catalog.service';
export {
  RouterService,
  RoutedStream,
  MessagesRouteRequest,
  RoutedMessages,
  RoutedMessagesStream,
} from './router.service';
export { RouteCall } from './route/route-walk';
export { RetryScope } from './retry/retry-policy';
export { DeploymentHealth } from './health/deployment-health';
export { RoutePlan } from './plan/route-plan';
export {
  CatalogConfig,
  ModelConfig,
  DeploymentConfig,
  Timeouts,
  RetrySettings,
  HealthSettings,
  RetryBudgetSettings,
  catalogSchema,
  deploymentName,
} from './catalog/catalog.schema';
export { loadCatalog } from './catalog/load-catalog';
export { MODEL_KINDS, ModelKind, ModelUse } from './catalog/model-kind';
