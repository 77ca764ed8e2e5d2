import { z } from 'zod';
import { alertsConfigSchema } from '@app/common';
import { providerConfigSchema } from '@app/providers';
import { checkModelKinds, MODEL_KINDS } from './model-kind';
import { pricingSchema } from './pricing.schema';

/** A day: anything longer is surely a typo (and Node timers overflow at ~24.8 days). */
const MAX_MS = 86_400_000;
const milliseconds = z.number().int().positive().max(MAX_MS);
const delayMs = z.number().int().min(0).max(MAX_MS);

const timeoutsSchema = z.object({
  /** Time allowed to open a new upstream connection (reused keep-alive connections skip it). */
  connect_ms: milliseconds,
  /** Time allowed until the upstream's response headers arrive. */
  ttfb_ms: milliseconds,
  /** Longest silence allowed between two body chunks. */
  idle_ms: milliseconds,
  /** The whole request: every attempt, every backoff and, for a stream, its last chunk. */
  total_ms: milliseconds,
});

const retrySchema = z.object({
  /** Upstream calls per model in a request's route (the first one included); fallbacks get their own. */
  max_attempts: z.number().int().min(1).max(10),
  /** Backoff before calling a deployment that already failed in this request: full jitter, doubling per retry. */
  base_delay_ms: delayMs,
  /** Cap of that backoff, and the longest `retry-after` the gateway waits out instead of moving on. */
  max_delay_ms: delayMs,
});

const healthSchema = z.object({
  /** Consecutive failures that eject a deployment. */
  failure_threshold: z.number().int().min(1),
  /** First ejection's cool-down; each repeated ejection doubles it. */
  cooldown_ms: milliseconds,
  max_cooldown_ms: milliseconds,
});

const retryBudgetSchema = z.object({
  /** Retries allowed as a share of first attempts, over the sliding window. */
  ratio: z.number().min(0).max(1),
  /** Retries always allowed per window, so a quiet gateway still retries. */
  min_retries: z.number().int().min(0),
  window_ms: milliseconds,
});

const BUILT_IN = {
  timeouts: { connect_ms: 5_000, ttfb_ms: 60_000, idle_ms: 60_000, total_ms: 600_000 },
  retry: { max_attempts: 3, base_delay_ms: 200, max_delay_ms: 2_000 },
  health: { failure_threshold: 5, cooldown_ms: 10_000, max_cooldown_ms: 300_000 },
  retry_budget: { ratio: 0.2, min_retries: 10, window_ms: 10_000 },
};

/** The per-model settings that `defaults:` provides and each model may override field by field. */
const overridableSchema = z.object({
  timeouts: timeoutsSchema.partial().default({}),
  retry: retrySchema.partial().default({}),
  health: healthSchema.partial().default({}),
});

const deploymentSchema = z.object({
  provider: z.string().min(1),
  /** The upstream's own model id. */
  model: z.string().min(1),
  weight: z.number().positive().default(1),
  /** Lower is preferred; deployments of a worse priority serve only when better ones cannot. */
  priority: z.number().int().min(0).default(0),
  /** Overrides the model's price for requests this deployment serves. */
  pricing: pricingSchema.optional(),
});

const modelSchema = overridableSchema.extend({
  /** What clients send as `model`. */
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** Allow-lists on keys and projects can name tiers instead of models. */
  tier: z.string().min(1).optional(),
  /** What the model serves, and so the routes that may call it (see model-kind.ts). */
  kind: z.enum(MODEL_KINDS).default('chat'),
  /**
   * Output cap assumed when a client sends no max_tokens: sent where the wire format needs one, and used
   * to bound the request's cost when reserving budget.
   */
  max_output_tokens: z.number().int().positive().default(4_096),
  /**
   * Price per million tokens (per image for image models); a model without one is served, with its requests'
   * cost recorded as null.
   */
  pricing: pricingSchema.optional(),
  deployments: z.array(deploymentSchema).min(1, 'a model needs at least one deployment'),
  /** Models tried in order when this one's deployments are exhausted. */
  fallbacks: z.array(z.string().min(1)).default([]),
});

export const catalogSchema = z
  .object({
    defaults: overridableSchema.default({ timeouts: {}, retry: {}, health: {} }),
    /** Process-wide: bounds the extra upstream load retries may add. */
    retry_budget: retryBudgetSchema.partial().default({}),
    providers: z.array(providerConfigSchema).min(1, 'configure at least one provider'),
    models: z.array(modelSchema).min(1, 'configure at least one model'),
    /** Webhooks, budget thresholds and anomaly settings (libs/alerts acts on them; the schema is common's). */
    alerts: alertsConfigSchema.prefault({}),
  })
  .superRefine((catalog, ctx) => {
    const providerIds = new Set<string>();
    catalog.providers.forEach((provider, i) => {
      if (providerIds.has(provider.id))
        ctx.addIssue({
          code: 'custom',
          path: ['providers', i, 'id'],
          message: `duplicate provider id "${provider.id}"`,
        });
      providerIds.add(provider.id);
    });
    const modelNames = new Map<string, string>();
    catalog.models.forEach((model, i) => {
      [model.name, ...model.aliases].forEach((name, j) => {
        const owner = modelNames.get(name);
        if (owner !== undefined) {
          const path = j === 0 ? ['models', i, 'name'] : ['models', i, 'aliases', j - 1];
          ctx.addIssue({ code: 'custom', path, message: `"${name}" is already used by model "${owner}"` });
        }
        modelNames.set(name, model.name);
      });
      const deploymentNames = new Set<string>();
      model.deployments.forEach((deployment, j) => {
        if (!providerIds.has(deployment.provider)) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', i, 'deployments', j, 'provider'],
            message: `unknown provider "${deployment.provider}" (configured: ${[...providerIds].join(', ')})`,
          });
        }
        // Health is tracked per provider/model pair, so a twin would share (and skew) its twin's record.
        const name = deploymentName(deployment);
        if (deploymentNames.has(name))
          ctx.addIssue({
            code: 'custom',
            path: ['models', i, 'deployments', j],
            message: `duplicate deployment "${name}"`,
          });
        deploymentNames.add(name);
      });
    });
    catalog.models.forEach((model, i) => {
      model.fallbacks.forEach((fallback, j) => {
        if (!modelNames.has(fallback))
          ctx.addIssue({ code: 'custom', path: ['models', i, 'fallbacks', j], message: `unknown model "${fallback}"` });
      });
    });
    const cycle = findFallbackCycle(catalog.models, modelNames);
    if (cycle) ctx.addIssue({ code: 'custom', path: ['models'], message: `fallback cycle: ${cycle.join(' → ')}` });
    checkModelKinds(catalog, ctx);
  })
  .transform((catalog) => ({
    ...catalog,
    retry_budget: { ...BUILT_IN.retry_budget, ...catalog.retry_budget },
    models: catalog.models.map((model) => ({
      ...model,
      timeouts: { ...BUILT_IN.timeouts, ...catalog.defaults.timeouts, ...model.timeouts },
      retry: { ...BUILT_IN.retry, ...catalog.defaults.retry, ...model.retry },
      health: { ...BUILT_IN.health, ...catalog.defaults.health, ...model.health },
    })),
  }))
  .superRefine((catalog, ctx) => {
    // Checked after merging, because a model may override only one side of a pair.
    catalog.models.forEach((model, i) => {
      if (model.retry.max_delay_ms < model.retry.base_delay_ms) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'retry', 'max_delay_ms'],
          message: `must be at least base_delay_ms (${model.retry.base_delay_ms})`,
        });
      }
      if (model.health.max_cooldown_ms < model.health.cooldown_ms) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', i, 'health', 'max_cooldown_ms'],
          message: `must be at least cooldown_ms (${model.health.cooldown_ms})`,
        });
      }
    });
  });

export type CatalogConfig = z.infer<typeof catalogSchema>;
export type ModelConfig = CatalogConfig['models'][number];
export type DeploymentConfig = ModelConfig['deployments'][number];
export type Timeouts = z.infer<typeof timeoutsSchema>;
export type RetrySettings = z.infer<typeof retrySchema>;
export type HealthSettings = z.infer<typeof healthSchema>;
export type RetryBudgetSettings = z.infer<typeof retryBudgetSchema>;

/** How a deployment is named in traces, headers and health records: `provider/upstream-model`. */
export function deploymentName(deployment: Pick<DeploymentConfig, 'provider' | 'model'>): string {
  return `${deployment.provider}/${deployment.model}`;
}

function findFallbackCycle(
  models: ReadonlyArray<{ name: string; fallbacks: string[] }>,
  canonical: Map<string, string>,
): string[] | null {
  const edges = new Map(models.map((m) => [m.name, m.fallbacks.map((f) => canonical.get(f) ?? f)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    if (state.get(name) === 'done') return null;
    if (state.get(name) === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const next of edges.get(name) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };
  for (const model of models) {
    const cycle = visit(model.name);
    if (cycle) return cycle;
  }
  return null;
}
