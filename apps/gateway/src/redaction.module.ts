import { Module } from '@nestjs/common';
import { KnownSecrets, Redactor } from '@app/observability';
import { ModelCatalogService, RoutingModule } from '@app/routing';

/**
 * One Redactor for the whole app, bound to the provider keys the catalog currently holds: the data plane
 * scrubs upstream errors with it, the admin API scrubs rejected config reloads.
 */
@Module({
  imports: [RoutingModule],
  providers: [
    Redactor,
    {
      provide: KnownSecrets,
      inject: [ModelCatalogService],
      useFactory: (catalog: ModelCatalogService) => ({ list: () => catalog.secrets() }),
    },
  ],
  exports: [Redactor],
})
export class RedactionModule {}
