import { useState } from 'preact/hooks';
import { getConfig, reloadConfig } from '../../api/admin-api';
import type { CatalogModel, CatalogPrice, CatalogProvider, ConfigSummary, PerMinute } from '../../api/types';
import { formatBytes, formatCount, formatMs, formatPercent, formatUsd } from '../../format';
import { useSession } from '../../session/session';
import { Fact, Facts } from '../../ui/facts';
import { asError, Async, Empty, useResource } from '../../ui/resource';
import { Time } from '../../ui/time';

/**
 * The catalog this gateway serves and the limits it runs with, for owners and auditors: what a provider
 * key is (configured or missing, never the key), where each model is routed, what it costs.
 */
export function ConfigPage() {
  const { api, can } = useSession();
  const [summary, reload] = useResource(() => getConfig(api), []);
  return (
    <>
      <header class="page-header section-header">
        <div>
          <h1>Configuration</h1>
          <p class="muted">
            The model catalog this gateway serves and the limits it runs with. No secret is shown: a provider key is
            only configured or missing.
          </p>
        </div>
        {can.reloadConfig && <ReloadButton onReloaded={reload} />}
      </header>
      <Async value={summary} loading="Loading the configuration…" retry={reload}>
        {(config) => <ConfigDetail config={config} />}
      </Async>
    </>
  );
}

/** Owners only: makes the gateway re-read its catalog file; a rejected file leaves the current one serving. */
function ReloadButton({ onReloaded }: { onReloaded: () => void }) {
  const { api } = useSession();
  const [state, setState] = useState<{ busy: boolean; message: string | null; failed: boolean }>({
    busy: false,
    message: null,
    failed: false,
  });
  const reload = async () => {
    setState({ busy: true, message: null, failed: false });
    try {
      const result = await reloadConfig(api);
      setState({ busy: false, message: `Reloaded: ${formatCount(result.models, 'model')}.`, failed: false });
      onReloaded();
    } catch (error) {
      setState({ busy: false, message: asError(error).message, failed: true });
    }
  };
  return (
    <div class="actions">
      {state.message && (
        <span class={state.failed ? 'form-error' : 'saved'} role={state.failed ? 'alert' : 'status'}>
          {state.message}
        </span>
      )}
      <button type="button" class="button" disabled={state.busy} onClick={() => void reload()}>
        {state.busy ? 'Reloading…' : 'Reload catalog file'}
      </button>
    </div>
  );
}

function ConfigDetail({ config }: { config: ConfigSummary }) {
  const { catalog, limits } = config;
  return (
    <>
      <section class="card" aria-labelledby="catalog-title">
        <h2 id="catalog-title">Catalog</h2>
        <Facts label="Catalog">
          <Fact label="File">
            <code>{catalog.source}</code>
          </Fact>
          <Fact label="Generation">
            {catalog.generation} <span class="muted">(1 at start, one more per accepted reload)</span>
          </Fact>
          <Fact label="Loaded">
            <Time iso={catalog.loaded_at} />
          </Fact>
          <Fact label="Retry budget">
            {formatPercent(catalog.retry_budget.ratio)} of first attempts, at least{' '}
            {formatCount(catalog.retry_budget.min_retries)} retries per {formatMs(catalog.retry_budget.window_ms)}
          </Fact>
        </Facts>
      </section>
      <section class="card" aria-labelledby="providers-title">
        <h2 id="providers-title">Providers</h2>
        <ProvidersTable providers={catalog.providers} />
      </section>
      <section class="card" aria-labelledby="models-title">
        <h2 id="models-title">Models</h2>
        <ModelsTable models={catalog.models} />
      </section>
      <LimitsSection limits={limits} />
      <section class="card" aria-labelledby="alerts-config-title">
        <h2 id="alerts-config-title">Alerts</h2>
        <Facts label="Alerts">
          <Fact label="Budget thresholds">
            {catalog.alerts.budget_thresholds.map((percent) => `${percent} %`).join(', ') || 'none'}
          </Fact>
          <Fact label="Webhooks">
            {catalog.alerts.webhooks.length === 0
              ? 'none: alerts are listed here and in the API only'
              : catalog.alerts.webhooks.map((webhook) => webhook.origin).join(', ')}
          </Fact>
          <Fact label="Spend anomaly">
            above {catalog.alerts.anomaly.factor}× its baseline over {formatMs(catalog.alerts.anomaly.window_s * 1000)},
            from {formatCount(catalog.alerts.anomaly.min_requests, 'request')} on
          </Fact>
        </Facts>
      </section>
    </>
  );
}

function ProvidersTable({ providers }: { providers: CatalogProvider[] }) {
  return (
    <table class="table" data-testid="providers">
      <thead>
        <tr>
          <th>Provider</th>
          <th>Type</th>
          <th>Base URL</th>
          <th>API key</th>
          <th>Headers</th>
        </tr>
      </thead>
      <tbody>
        {providers.map((provider) => (
          <tr key={provider.id} data-provider={provider.id}>
            <td>
              <code>{provider.id}</code>
            </td>
            <td>{provider.type}</td>
            <td>{provider.base_url ? <code>{provider.base_url}</code> : <span class="muted">built in</span>}</td>
            <td>
              {provider.api_key === null ? (
                <span class="muted">not used</span>
              ) : (
                <span class={`badge api-key-${provider.api_key}`}>{provider.api_key}</span>
              )}
            </td>
            <td>{provider.headers.length > 0 ? provider.headers.join(', ') : <span class="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ModelsTable({ models }: { models: CatalogModel[] }) {
  return (
    <table class="table" data-testid="models">
      <thead>
        <tr>
          <th>Model</th>
          <th>Kind</th>
          <th>Tier</th>
          <th>Price</th>
          <th>Deployments (priority, weight)</th>
          <th>Fallbacks</th>
          <th class="number">Attempts</th>
          <th class="number">Total time</th>
        </tr>
      </thead>
      <tbody>
        {models.map((model) => (
          <tr key={model.name} data-model={model.name}>
            <td>
              <code>{model.name}</code>
              {model.aliases.length > 0 && <div class="muted">also {model.aliases.join(', ')}</div>}
            </td>
            <td>{model.kind}</td>
            <td>{model.tier ?? <span class="muted">—</span>}</td>
            <td>{priceText(model.pricing)}</td>
            <td>
              {model.deployments.map((deployment) => (
                <div key={`${deployment.provider}/${deployment.model}`}>
                  <code>
                    {deployment.provider}/{deployment.model}
                  </code>{' '}
                  <span class="muted">
                    ({deployment.priority}, {deployment.weight})
                  </span>
                  {deployment.pricing && <span class="muted"> · {priceText(deployment.pricing)}</span>}
                </div>
              ))}
            </td>
            <td>{model.fallbacks.length > 0 ? model.fallbacks.join(' → ') : <span class="muted">—</span>}</td>
            <td class="number">{model.retry.max_attempts}</td>
            <td class="number">{formatMs(model.timeouts.total_ms)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The price in force now (the last one that has started); a later scheduled change is noted. */
export function priceText(schedule: CatalogPrice[] | null, now = Date.now()): string {
  if (!schedule) return 'unpriced';
  const started = schedule.filter((point) => !point.effective_from || Date.parse(point.effective_from) <= now);
  const current = started.at(-1);
  const next = schedule[started.length];
  const text = current ? pointText(current) : 'unpriced';
  return next?.effective_from ? `${text} (from ${next.effective_from.slice(0, 10)}: ${pointText(next)})` : text;
}

function pointText(point: CatalogPrice): string {
  if ('per_image' in point) return `${formatUsd(point.per_image.default)} per image`;
  return `${formatUsd(point.input_per_mtok)} in / ${formatUsd(point.output_per_mtok)} out per M tokens`;
}

function LimitsSection({ limits }: { limits: ConfigSummary['limits'] }) {
  const { requests, rate_limits: rateLimits, budgets, database } = limits;
  const off = (value: number | null, text: (value: number) => string) => (value === null ? 'off' : text(value));
  return (
    <section class="card" aria-labelledby="limits-title">
      <h2 id="limits-title">Limits of this instance</h2>
      <div class="columns">
        <div>
          <h3>Requests</h3>
          <Facts label="Request limits">
            <Fact label="Body limit">{formatBytes(requests.body_limit_bytes)}</Fact>
            <Fact label="Request timeout">{formatMs(requests.request_timeout_ms)}</Fact>
            <Fact label="Client stall limit">{formatMs(requests.client_stall_timeout_ms)}</Fact>
            <Fact label="Shed above">
              {off(requests.overload_max_in_flight, (n) => formatCount(n, 'request'))} in flight
            </Fact>
            <Fact label="Shed at loop lag">{off(requests.overload_max_lag_ms, formatMs)}</Fact>
            <Fact label="Streams per key">{off(requests.max_streams_per_key, (n) => formatCount(n))}</Fact>
          </Facts>
        </div>
        <div>
          <h3>Rate limits</h3>
          <Facts label="Rate limits">
            <Fact label="Counters">
              {rateLimits.store === 'redis' ? <code>{rateLimits.redis}</code> : 'in memory (this instance)'}
            </Fact>
            <Fact label="Redis unreachable">
              {rateLimits.on_redis_failure === 'open'
                ? `count in memory, 1/${rateLimits.instances} of each limit per instance`
                : 'refuse requests (503)'}
            </Fact>
            <Fact label="Default per key">{perMinute(rateLimits.defaults.key)}</Fact>
            <Fact label="Default per project">{perMinute(rateLimits.defaults.project)}</Fact>
            <Fact label="Default per team">{perMinute(rateLimits.defaults.team)}</Fact>
          </Facts>
        </div>
        <div>
          <h3>Budgets and outages</h3>
          <Facts label="Budgets and outages">
            <Fact label="Lease chunk">{formatUsd(budgets.lease_chunk_usd)}</Fact>
            <Fact label="Changes seen within">{formatMs(budgets.policy_cache_ms)}</Fact>
            <Fact label="Revocations seen within">{formatMs(limits.auth.key_cache_ms)}</Fact>
            <Fact label="Database">{database.store}</Fact>
            <Fact label="Outage grace">
              {database.outage_grace_ms === 0
                ? 'none: nothing is served without the database'
                : formatMs(database.outage_grace_ms)}
            </Fact>
            <Fact label="Evidence kept">{formatCount(limits.evidence.retention_days, 'day')}</Fact>
          </Facts>
        </div>
      </div>
    </section>
  );
}

function perMinute(limit: PerMinute): string {
  if (limit.rpm === null && limit.tpm === null) return 'none';
  const parts = [
    limit.rpm !== null && `${formatCount(limit.rpm)} requests`,
    limit.tpm !== null && `${formatCount(limit.tpm)} tokens`,
  ];
  return `${parts.filter(Boolean).join(', ')} per minute`;
}

/** For a role the configuration is not shown to. */
export function ConfigForbidden() {
  return (
    <Empty title="The configuration is for owners and auditors.">It describes the whole gateway, not one team.</Empty>
  );
}
