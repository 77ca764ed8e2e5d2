import type { Command } from 'commander';
import { CheckFailed } from '../cli-errors';
import type { CommandGroup } from '../context';
import { renderFields, renderTable } from '../output/table';

interface ReloadResult {
  trigger: string;
  accepted: boolean;
  models: number;
  error: string | null;
}

/** A token price (USD per million tokens) or, for image models, USD per image by size. */
type PricePoint = { effective_from: string | null } & (
  { input_per_mtok: number; output_per_mtok: number } | { per_image: Record<string, number> }
);

/** `GET /admin/config`, as far as `config show` prints it (`--json` prints all of it). */
interface ConfigSummary {
  catalog: {
    source: string;
    generation: number;
    loaded_at: string;
    providers: Array<{ id: string; type: string; base_url: string | null; api_key: string | null }>;
    models: Array<{
      name: string;
      aliases: string[];
      tier: string | null;
      kind: string;
      pricing: PricePoint[] | null;
      deployments: Array<{ provider: string; model: string; weight: number; priority: number }>;
      fallbacks: string[];
      timeouts: { total_ms: number };
      retry: { max_attempts: number };
    }>;
  };
  limits: {
    requests: { body_limit_bytes: number; request_timeout_ms: number };
    rate_limits: { store: string; on_redis_failure: string; instances: number };
    database: { store: string; outage_grace_ms: number };
  };
}

/** `switchyard config check FILE` (offline, the gateway's own validator), `config show` and `config reload`. */
export const configCommands: CommandGroup = (program, context) => {
  const config = program.command('config').description('the model catalog file');
  config
    .command('check <file>')
    .description('validate a catalog file offline, with the gateway’s own validator; exit 1 when invalid')
    .action(async (file: string, _options: object, command: Command) => {
      // Loaded on demand: the validator brings the routing lib, which no other command needs.
      const { checkCatalogFile } = await import('../catalog-check');
      const check = checkCatalogFile(file, context.io.env);
      const output = context.output(command);
      output.result(check, () => {
        if (check.ok) return `${file}: valid\n`;
        const lines = check.errors.map(
          (error) => `  ${file}${error.line ? `:${error.line}:${error.column}` : ''}  ${error.path}: ${error.message}`,
        );
        return `${file}: ${check.errors.length} error${check.errors.length === 1 ? '' : 's'}\n${lines.join('\n')}\n`;
      });
      for (const warning of check.warnings) output.note(`warning: ${warning}`);
      if (!check.ok) throw new CheckFailed();
    });
  config
    .command('show')
    .description('the catalog the gateway serves and its effective limits, without secrets (owner, auditor)')
    .action(async (_options: object, command: Command) => {
      const summary = await context.client(command).get<ConfigSummary>('/admin/config');
      context.output(command).result(summary, () => renderSummary(summary));
    });
  config
    .command('reload')
    .description('make the gateway re-read its catalog file (a rejected file leaves the current one serving)')
    .action(async (_options: object, command: Command) => {
      const result = await context.client(command).post<ReloadResult>('/admin/config/reload');
      context.output(command).result(result, () =>
        renderFields([
          ['accepted', result.accepted],
          ['models', result.models],
        ]),
      );
    });
};

function renderSummary({ catalog, limits }: ConfigSummary): string {
  const head = renderFields([
    ['catalog', catalog.source],
    ['generation', `${catalog.generation}, loaded ${catalog.loaded_at}`],
    [
      'body limit',
      `${limits.requests.body_limit_bytes} bytes, request timeout ${limits.requests.request_timeout_ms} ms`,
    ],
    [
      'rate limits',
      `${limits.rate_limits.store} (on Redis failure: ${limits.rate_limits.on_redis_failure}, ${limits.rate_limits.instances} instance(s))`,
    ],
    ['database', `${limits.database.store}, outage grace ${limits.database.outage_grace_ms} ms`],
  ]);
  const providers = renderTable(
    [
      { header: 'PROVIDER', value: (provider) => provider.id },
      { header: 'TYPE', value: (provider) => provider.type },
      { header: 'BASE URL', value: (provider) => provider.base_url },
      { header: 'API KEY', value: (provider) => provider.api_key },
    ],
    catalog.providers,
  );
  const models = renderTable(
    [
      { header: 'MODEL', value: (model) => model.name },
      { header: 'ALIASES', value: (model) => model.aliases.join(', ') },
      { header: 'KIND', value: (model) => model.kind },
      { header: 'TIER', value: (model) => model.tier },
      { header: 'PRICE (USD)', value: (model) => currentPrice(model.pricing) },
      {
        header: 'DEPLOYMENTS (PRIORITY, WEIGHT)',
        value: (model) =>
          model.deployments.map((d) => `${d.provider}/${d.model} (${d.priority}, ${d.weight})`).join(', '),
      },
      { header: 'FALLBACKS', value: (model) => model.fallbacks.join(', ') },
      { header: 'ATTEMPTS', value: (model) => model.retry.max_attempts },
      { header: 'TOTAL MS', value: (model) => model.timeouts.total_ms },
    ],
    catalog.models,
  );
  return `${head}\nproviders\n${providers}\nmodels\n${models}`;
}

/** The price in force now (the last one that has started); unpriced models show "-". */
function currentPrice(pricing: PricePoint[] | null): string | null {
  const now = Date.now();
  const current = pricing?.filter((point) => !point.effective_from || Date.parse(point.effective_from) <= now).at(-1);
  if (!current) return null;
  if ('per_image' in current) return `${current.per_image.default} per image`;
  return `${current.input_per_mtok} in / ${current.output_per_mtok} out per Mtok`;
}
