import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ProviderAdapter, ProviderFactory, providerSecrets } from '@app/providers';
import { routingConfig } from '../routing.config';
import { CatalogConfig, ModelConfig } from './catalog.schema';
import { loadCatalog } from './load-catalog';

/** A validated catalog with its provider adapters built; replaced as a whole, never mutated. */
interface LoadedCatalog {
  config: CatalogConfig;
  byName: ReadonlyMap<string, ModelConfig>;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  secrets: readonly string[];
}

/** The models clients may call, by name or alias, and the adapters that reach their providers. */
@Injectable()
export class ModelCatalogService implements OnApplicationShutdown {
  private current: LoadedCatalog;

  constructor(
    @Inject(routingConfig.KEY) settings: ConfigType<typeof routingConfig>,
    private readonly providers: ProviderFactory,
  ) {
    this.current = this.build(loadCatalog(settings.configPath));
  }

  onApplicationShutdown(): void {
    for (const adapter of this.current.adapters.values()) adapter.close();
  }

  /** The model a client-facing name or alias refers to. */
  resolve(name: string): ModelConfig | undefined {
    return this.current.byName.get(name);
  }

  models(): readonly ModelConfig[] {
    return this.current.config.models;
  }

  adapter(providerId: string): ProviderAdapter {
    const adapter = this.current.adapters.get(providerId);
    if (!adapter) throw new Error(`No adapter for provider "${providerId}"`);
    return adapter;
  }

  /** Provider keys, for scrubbing logs and messages. */
  secrets(): readonly string[] {
    return this.current.secrets;
  }

  private build(config: CatalogConfig): LoadedCatalog {
    const byName = new Map<string, ModelConfig>();
    for (const model of config.models) for (const name of [model.name, ...model.aliases]) byName.set(name, model);
    const adapters = new Map(config.providers.map((provider) => [provider.id, this.providers.create(provider)]));
    return { config, byName, adapters, secrets: providerSecrets(config.providers) };
  }
}
