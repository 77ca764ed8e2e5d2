import { Injectable, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { UpstreamHttpService } from './http/upstream-http.service';
import { providersConfig } from './providers.config';
import { createProviderAdapter, ProviderConfig } from './provider-kinds';
import type { ProviderAdapter } from './provider.types';

/** Builds adapters from provider config entries; routing owns which adapters exist and when. */
@Injectable()
export class ProviderFactory {
  constructor(private readonly http: UpstreamHttpService) {}

  create(config: ProviderConfig): ProviderAdapter {
    return createProviderAdapter(config, this.http);
  }
}

@Module({
  imports: [ConfigModule.forFeature(providersConfig)],
  providers: [UpstreamHttpService, ProviderFactory],
  exports: [ProviderFactory],
})
export class ProvidersModule {}
