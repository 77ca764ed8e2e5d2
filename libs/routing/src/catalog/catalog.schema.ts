import { z } from 'zod';
import { providerConfigSchema } from '@app/providers';

const timeoutsSchema = z.object({
  connect_ms: z.number().int().positive(),
  ttfb_ms: z.number().int().positive(),
  idle_ms: z.number().int().positive(),
  total_ms: z.number().int().positive(),
});

const DEFAULT_TIMEOUTS = { connect_ms: 5_000, ttfb_ms: 60_000, idle_ms: 60_000, total_ms: 600_000 };

const deploymentSchema = z.object({
  provider: z.string().min(1),
  /** The upstream's own model id. */
  model: z.string().min(1),
  weight: z.number().positive().default(1),
  /** Lower is preferred; deployments of a worse priority serve only when better ones cannot. */
  priority: z.number().int().min(0).default(0),
});

const modelSchema = z.object({
  /** What clients send as `model`. */
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  tier: z.string().min(1).optional(),
  /** Output cap used when a client sends no max_tokens and the wire format needs one. */
  max_output_tokens: z.number().int().positive().optional(),
  deployments: z.array(deploymentSchema).min(1, 'a model needs at least one deployment'),
  fallbacks: z.array(z.string().min(1)).default([]),
  timeouts: timeoutsSchema.partial().optional(),
});

export const catalogSchema = z
  .object({
    defaults: z.object({ timeouts: timeoutsSchema.partial().default({}) }).default({ timeouts: {} }),
    providers: z.array(providerConfigSchema).min(1, 'configure at least one provider'),
    models: z.array(modelSchema).min(1, 'configure at least one model'),
  })
  .superRefine((catalog, ctx) => {
    const providerIds = new Set<string>();
    catalog.providers.forEach((provider, i) => {
      if (providerIds.has(provider.id)) ctx.addIssue({ code: 'custom', path: ['providers', i, 'id'], message: `duplicate provider id "${provider.id}"` });
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
      model.deployments.forEach((deployment, j) => {
        if (!providerIds.has(deployment.provider)) {
          ctx.addIssue({
            code: 'custom',
            path: ['models', i, 'deployments', j, 'provider'],
            message: `unknown provider "${deployment.provider}" (configured: ${[...providerIds].join(', ')})`,
          });
        }
      });
    });
    catalog.models.forEach((model, i) => {
      model.fallbacks.forEach((fallback, j) => {
        if (!modelNames.has(fallback)) ctx.addIssue({ code: 'custom', path: ['models', i, 'fallbacks', j], message: `unknown model "${fallback}"` });
      });
    });
    const cycle = findFallbackCycle(catalog.models, modelNames);
    if (cycle) ctx.addIssue({ code: 'custom', path: ['models'], message: `fallback cycle: ${cycle.join(' → ')}` });
  })
  .transform((catalog) => ({
    ...catalog,
    models: catalog.models.map((model) => ({
      ...model,
      timeouts: { ...DEFAULT_TIMEOUTS, ...catalog.defaults.timeouts, ...model.timeouts },
    })),
  }));

export type CatalogConfig = z.infer<typeof catalogSchema>;
export type ModelConfig = CatalogConfig['models'][number];
export type DeploymentConfig = ModelConfig['deployments'][number];
export type Timeouts = z.infer<typeof timeoutsSchema>;

function findFallbackCycle(models: ReadonlyArray<{ name: string; fallbacks: string[] }>, canonical: Map<string, string>): string[] | null {
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
