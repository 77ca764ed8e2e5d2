import { ProviderAdapter, providerSecrets } from '@app/providers';
import type { CatalogConfig, ModelConfig } from './catalog.schema';

/** A request's hold on the catalog it started with; release it when the response has ended. */
export interface CatalogLease {
  catalog: CatalogGeneration;
  release(): void;
}

/**
 * One validated catalog with the adapters that reach its providers. A reload builds a new generation and
 * retires the old one, which keeps serving the requests that leased it until they end.
 */
export class CatalogGeneration {
  readonly secrets: readonly string[];
  private readonly byName = new Map<string, ModelConfig>();
  private leases = 0;
  private retirement?: { drained: () => void; graceTimer: NodeJS.Timeout };

  constructor(
    readonly config: CatalogConfig,
    readonly adapters: ReadonlyMap<string, ProviderAdapter>,
  ) {
    for (const model of config.models) for (const name of [model.name, ...model.aliases]) this.byName.set(name, model);
    // Webhook URLs too: Slack-style URLs carry their token in the path.
    const webhooks = config.alerts.webhooks.flatMap((webhook) => [webhook.secret, webhook.url]);
    this.secrets = [...providerSecrets(config.providers), ...webhooks];
  }

  /** The model a client-facing name or alias refers to. */
  resolve(name: string): ModelConfig | undefined {
    return this.byName.get(name);
  }

  adapter(providerId: string): ProviderAdapter {
    const adapter = this.adapters.get(providerId);
    if (!adapter) throw new Error(`No adapter for provider "${providerId}"`);
    return adapter;
  }

  /** The models a request for `model` may be served by, in order: the model, then its fallbacks depth-first. */
  route(model: ModelConfig): ModelConfig[] {
    const route: ModelConfig[] = [];
    const visit = (next: ModelConfig) => {
      if (route.includes(next)) return;
      route.push(next);
      for (const name of next.fallbacks) visit(this.resolve(name)!);
    };
    visit(model);
    return route;
  }

  lease(): CatalogLease {
    this.leases++;
    let released = false;
    return {
      catalog: this,
      release: () => {
        if (released) return;
        released = true;
        this.leases--;
        if (this.leases === 0) this.retirement?.drained();
      },
    };
  }

  /** Resolves once the last lease is released, or when the grace period is over, whichever comes first. */
  retire(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const drained = () => {
        clearTimeout(graceTimer);
        resolve();
      };
      const graceTimer = setTimeout(drained, graceMs).unref();
      this.retirement = { drained, graceTimer };
      if (this.leases === 0) drained();
    });
  }

  /** Stops waiting for a retirement (on shutdown, where everything closes at once). */
  abandonRetirement(): void {
    if (this.retirement) clearTimeout(this.retirement.graceTimer);
    this.retirement = undefined;
  }
}
