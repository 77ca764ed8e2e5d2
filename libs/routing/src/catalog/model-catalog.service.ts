import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Observable, Subject } from 'rxjs';
import { Clock, Principal, scrubSecrets } from '@app/common';
import { ProviderAdapter, ProviderFactory } from '@app/providers';
import { routingConfig } from '../routing.config';
import { CatalogConfig, ModelConfig } from './catalog.schema';
import { CatalogGeneration } from './catalog-generation';
import { loadCatalog } from './load-catalog';
import type { ModelUse } from './model-kind';
import { admitted, RoutePlan } from '../plan/route-plan';
import { modelAccessDenial } from '../plan/model-access';

export type ReloadTrigger = 'sighup' | 'file' | 'api';

/** One reload attempt, accepted or rejected: the hook for the admin audit trail. */
export interface CatalogReloadEvent {
  trigger: ReloadTrigger;
  accepted: boolean;
  /** Why the new file was rejected (the validation message, naming the bad path). */
  error?: string;
  /** Models in the catalog that serves after the attempt. */
  models: number;
  at: Date;
}

/** The catalog that serves, and where and when it came from (for the admin API's configuration summary). */
export interface LoadedCatalog {
  config: CatalogConfig;
  /** The config file, as an absolute path. */
  path: string;
  /** 1 for the catalog loaded at start, one more for each accepted reload. */
  generation: number;
  loadedAt: Date;
}

/** Retired adapters stay open this long past the longest total_ms, should a lease never be released. */
const RETIREMENT_MARGIN_MS = 5_000;

/**
 * The models clients may call, by name or alias, and the adapters that reach their providers. `reload()`
 * swaps in a freshly validated catalog atomically; requests keep the generation they leased, and a retired
 * generation's adapters close once its requests have drained (those reused unchanged stay open).
 */
@Injectable()
export class ModelCatalogService implements OnApplicationShutdown {
  private readonly logger = new Logger(ModelCatalogService.name);
  private current: CatalogGeneration;
  private generation = 1;
  private loadedAt: Date;
  private readonly retiring = new Set<CatalogGeneration>();
  private readonly reloadEvents = new Subject<CatalogReloadEvent>();
  /** Every reload attempt; subscribe to record them. */
  readonly reloads: Observable<CatalogReloadEvent> = this.reloadEvents.asObservable();

  constructor(
    @Inject(routingConfig.KEY) private readonly settings: ConfigType<typeof routingConfig>,
    private readonly providers: ProviderFactory,
    private readonly clock: Clock,
  ) {
    this.current = this.build(loadCatalog(settings.configPath));
    this.loadedAt = clock.now();
  }

  onApplicationShutdown(): void {
    for (const generation of this.retiring) generation.abandonRetirement();
    for (const adapter of this.adaptersInUse()) adapter.close();
    this.retiring.clear();
    this.reloadEvents.complete();
  }

  /** The model a client-facing name or alias refers to. */
  resolve(name: string): ModelConfig | undefined {
    return this.current.resolve(name);
  }

  models(): readonly ModelConfig[] {
    return this.current.config.models;
  }

  /** The `alerts:` section of the file that serves now (webhooks, thresholds, anomaly settings). */
  alerts(): CatalogConfig['alerts'] {
    return this.current.config.alerts;
  }

  /** The catalog that serves now, with its file, generation and load time. */
  loaded(): LoadedCatalog {
    return {
      config: this.current.config,
      path: resolve(this.settings.configPath),
      generation: this.generation,
      loadedAt: this.loadedAt,
    };
  }

  /** Models with a deployment priced neither itself nor by its model: served, but no budget can limit them. */
  unpricedModels(): ModelConfig[] {
    return this.current.config.models.filter((model) => model.deployments.some((d) => !(d.pricing ?? model.pricing)));
  }

  /**
   * The route plan of one request for the model `name`: admitted against the caller's allow-lists, with its
   * permitted fallbacks, on the current catalog, which the plan keeps across any reload until released.
   * `use` names the kind of model the route needs (a chat model on the images route is refused with 400).
   */
  plan(principal: Principal, name: string, use?: ModelUse): RoutePlan {
    return RoutePlan.admit(this.current.lease(), principal, name, use);
  }

  /** The model `name` refers to, if the caller may use it (else `model_not_found` / `model_not_allowed`). */
  admit(principal: Principal, name: string): ModelConfig {
    return admitted(this.current, principal, name);
  }

  /** The models the caller may use. */
  visibleModels(principal: Principal): ModelConfig[] {
    return this.current.config.models.filter((model) => modelAccessDenial(principal, model) === null);
  }

  /** Provider keys of every catalog still serving requests, for scrubbing logs and messages. */
  secrets(): readonly string[] {
    return [this.current, ...this.retiring].flatMap((generation) => generation.secrets);
  }

  /** Re-reads the config file and swaps it in; an invalid file is rejected and the current catalog keeps serving. */
  reload(trigger: ReloadTrigger = 'api'): CatalogReloadEvent {
    let next: CatalogGeneration;
    try {
      next = this.build(loadCatalog(this.settings.configPath));
    } catch (error) {
      // A YAML syntax error quotes the offending line, which may hold a literal key: scrub before logging.
      const message = scrubSecrets(error instanceof Error ? error.message : String(error), this.secrets());
      this.logger.error(
        { trigger, configPath: this.settings.configPath, error: message },
        'catalog reload rejected; the previous catalog keeps serving',
      );
      return this.announce({
        trigger,
        accepted: false,
        error: message,
        models: this.current.config.models.length,
        at: this.clock.now(),
      });
    }
    const previous = this.current;
    this.current = next;
    this.generation++;
    this.loadedAt = this.clock.now();
    this.retire(previous);
    this.logger.log(
      { trigger, configPath: this.settings.configPath, models: next.config.models.length },
      'catalog reloaded',
    );
    return this.announce({ trigger, accepted: true, models: next.config.models.length, at: this.clock.now() });
  }

  private announce(event: CatalogReloadEvent): CatalogReloadEvent {
    this.reloadEvents.next(event);
    return event;
  }

  /** Builds a generation, reusing the current adapter of every provider whose settings did not change. */
  private build(config: CatalogConfig): CatalogGeneration {
    const adapters = new Map<string, ProviderAdapter>();
    for (const provider of config.providers) {
      const unchanged = this.current?.config.providers.find((existing) => isDeepStrictEqual(existing, provider));
      adapters.set(provider.id, unchanged ? this.current.adapter(provider.id) : this.providers.create(provider));
    }
    return new CatalogGeneration(config, adapters);
  }

  private retire(generation: CatalogGeneration): void {
    this.retiring.add(generation);
    // No request outlives its total_ms, so the grace period only covers a lease that was never released.
    const graceMs =
      Math.max(...generation.config.models.map((model) => model.timeouts.total_ms)) + RETIREMENT_MARGIN_MS;
    void generation.retire(graceMs).then(() => {
      this.retiring.delete(generation);
      const inUse = this.adaptersInUse();
      for (const adapter of generation.adapters.values()) if (!inUse.has(adapter)) adapter.close();
    });
  }

  private adaptersInUse(): Set<ProviderAdapter> {
    return new Set([this.current, ...this.retiring].flatMap((generation) => [...generation.adapters.values()]));
  }
}
