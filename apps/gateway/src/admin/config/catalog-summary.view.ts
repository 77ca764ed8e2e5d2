import { PriceSchedule, scrubSecrets } from '@app/common';
import type { DeploymentConfig, LoadedCatalog, ModelConfig } from '@app/routing';

type ProviderConfig = LoadedCatalog['config']['providers'][number];

/**
 * The catalog that serves, as an operator or auditor reads it: which file, which generation, every provider
 * and model with its routing, prices and limits. Built field by field from what is safe to show, never by
 * copying the config and deleting secrets, so a field added to the catalog later stays hidden until it is
 * listed here: a provider's key is only `configured` or `missing`, header values, URL query strings and
 * credentials, webhook paths and secrets are left out.
 */
export function catalogSummaryView(loaded: LoadedCatalog, secrets: readonly string[]) {
  const { config } = loaded;
  return {
    source: loaded.path,
    generation: loaded.generation,
    loaded_at: loaded.loadedAt.toISOString(),
    retry_budget: config.retry_budget,
    providers: config.providers.map((provider) => providerView(provider, secrets)),
    models: config.models.map(modelView),
    alerts: {
      // Origins only: Slack-style webhook URLs carry their token in the path. Signing secrets never.
      webhooks: config.alerts.webhooks.map((webhook) => ({ origin: new URL(webhook.url).origin })),
      budget_thresholds: config.alerts.budget_thresholds,
      anomaly: config.alerts.anomaly,
    },
  };
}

function providerView(provider: ProviderConfig, secrets: readonly string[]) {
  return {
    id: provider.id,
    type: provider.type,
    base_url: 'base_url' in provider ? publicUrl(provider.base_url, secrets) : null,
    /** null: this provider type takes no key (the built-in mock). */
    api_key: 'base_url' in provider ? (provider.api_key ? 'configured' : 'missing') : null,
    /** Names only: a header's value may be a credential. */
    headers: Object.keys(provider.headers ?? {}),
    max_sockets: provider.max_sockets,
  };
}

function modelView(model: ModelConfig) {
  return {
    name: model.name,
    aliases: model.aliases,
    tier: model.tier ?? null,
    kind: model.kind,
    max_output_tokens: model.max_output_tokens,
    pricing: pricingView(model.pricing),
    deployments: model.deployments.map(deploymentView),
    fallbacks: model.fallbacks,
    timeouts: model.timeouts,
    retry: model.retry,
    health: model.health,
  };
}

function deploymentView(deployment: DeploymentConfig) {
  return {
    provider: deployment.provider,
    model: deployment.model,
    weight: deployment.weight,
    priority: deployment.priority,
    /** null: the model's price applies. */
    pricing: pricingView(deployment.pricing),
  };
}

/**
 * Prices in USD as the config file states them: per million tokens, or per image by size for image models;
 * null: unpriced (cost recorded as null).
 */
function pricingView(schedule: PriceSchedule | undefined) {
  if (!schedule) return null;
  const usd = (micros: number) => micros / 1e6;
  return schedule.map((point) => {
    const effective_from = point.effectiveFrom?.toISOString() ?? null;
    if (point.perImage) {
      const perImage = Object.entries(point.perImage.bySize).map(([size, micros]) => [size, usd(micros)]);
      return { effective_from, per_image: Object.fromEntries(perImage) as Record<string, number> };
    }
    return {
      effective_from,
      input_per_mtok: usd(point.inputMicrosPerMtok),
      output_per_mtok: usd(point.outputMicrosPerMtok),
      cached_input_per_mtok: point.cachedInputMicrosPerMtok === null ? null : usd(point.cachedInputMicrosPerMtok),
    };
  });
}

/**
 * Scheme, host and path of a URL: no user info, query string or fragment (where credentials end up), and
 * any known secret or key-shaped text in the path scrubbed as well.
 */
export function publicUrl(url: string, secrets: readonly string[] = []): string {
  const parsed = new URL(url);
  return scrubSecrets(`${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`, secrets);
}
