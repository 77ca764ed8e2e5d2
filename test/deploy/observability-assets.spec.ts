import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RouteInventory } from '../../apps/gateway/src/http/route-inventory';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { eventually } from '../utils/eventually';
import { sampleValue } from '../utils/prometheus';
import { startTestGateway, TestGateway } from '../utils/test-gateway';
import { metricProblems } from './docs-metrics';
import { documentedRoutes, normalisedRoute, routeProblems } from './docs-routes';
import { DocText, readDoc, section } from './docs-text';
import { ROOT } from './gateway-env';

const PROVIDER_KEY = 'sk-observability-provider-key-5c1d';
/** Words of PromQL that are not metric names. */
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** The metric names and label names a PromQL expression uses (Grafana's `$__rate_interval` and `$var` included). */
export function promqlNames(expr: string): { metrics: Set<string>; labels: Set<string> } {
  const labels = new Set<string>();
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  rest = rest.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, list: string) => {
    for (const label of list.split(',').map((name) => name.trim())) if (label) labels.add(label);
    return ' ';
  });
  rest = rest.replace(/\{([^}]*)\}/g, (_m, matchers: string) => {
    for (const match of matchers.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) labels.add(match[1]);
    return ' ';
  });
  rest = rest.replace(/\[[^\]]*\]/g, ' ');
  const metrics = new Set(
    [...rest.matchAll(/(?<![\w$.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)]
      .map((match) => match[1])
      .filter((name) => !PROMQL_WORDS.has(name.toLowerCase())),
  );
  return { metrics, labels };
}

/** Every PromQL expression of the dashboard: panel targets (rows' panels included) and variable queries. */
function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'switchyard.json'), 'utf8'));
  const panels = (dashboard.panels as any[]).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const targets = panels.flatMap((panel) => (panel.targets ?? []).map((target: { expr: string }) => target.expr));
  const variables = (dashboard.templating.list as any[])
    .filter((variable) => variable.type === 'query')
    .map((variable) => /^label_values\((\w+),\s*(\w+)\)$/.exec(variable.query.query)!)
    .map(([, metric, label]) => `${metric}{${label}=""}`);
  return [...targets, ...variables];
}

function alertRules(): Array<{ alert: string; expr: string; for?: string; labels: any; annotations: any }> {
  const rules = parse(readFileSync(join(ROOT, 'deploy', 'prometheus', 'alerts.yml'), 'utf8'));
  return rules.groups.flatMap((group: { rules: unknown[] }) => group.rules);
}

/** Each sample name in a scrape, with the label names its series carry. */
function scrapedSeries(text: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!match) continue;
    const labels = series.get(match[1]) ?? new Set<string>();
    for (const label of (match[2] ?? '').matchAll(/(\w+)="/g)) labels.add(label[1]);
    series.set(match[1], labels);
  }
  return series;
}

/** The README and every page of docs/: what they say about /metrics must hold. */
function docsAboutMetrics(): DocText[] {
  const pages = readdirSync(join(ROOT, 'docs')).filter((file) => file.endsWith('.md'));
  return [readDoc('README.md'), ...pages.map((page) => readDoc(`docs/${page}`))];
}

describe('deploy/grafana, deploy/prometheus, the README and docs/ use only what the gateway serves', () => {
  let fake: FakeOpenAiServer;
  let down: FakeOpenAiServer;
  let gateway: TestGateway;
  let series: Map<string, Set<string>>;
  let scrape: string;

  /**
   * A short run that makes every kind of series appear: chat and stream, a fallback, an ejection, a rate
   * limit and a budget refusal, on priced models.
   */
  beforeAll(async () => {
    fake = new FakeOpenAiServer(PROVIDER_KEY);
    down = new FakeOpenAiServer(PROVIDER_KEY);
    down.defaultReply = { status: 503 };
    const pricing = { input_per_mtok: 1, output_per_mtok: 2 };
    gateway = await startTestGateway({
      catalog: {
        providers: [
          { id: 'openai', type: 'openai', base_url: `${await fake.start()}/v1`, api_key: PROVIDER_KEY },
          { id: 'down', type: 'openai', base_url: `${await down.start()}/v1`, api_key: PROVIDER_KEY },
        ],
        models: [
          { name: 'gpt-test', pricing, deployments: [{ provider: 'openai', model: 'gpt-test' }] },
          {
            name: 'gpt-primary',
            pricing,
            health: { failure_threshold: 1 },
            retry: { max_attempts: 1 },
            deployments: [
              { provider: 'down', model: 'gpt-primary' },
              { provider: 'down', model: 'gpt-primary-2' },
            ],
            fallbacks: ['gpt-test'],
          },
        ],
      },
    });
    const chat = (key: string, model: string, stream = false) =>
      fetch(`${gateway.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'observe me' }] }),
      }).then((response) => response.text().then(() => response.status));
    const caller = await gateway.createKey();
    expect(await chat(caller.key, 'gpt-test')).toBe(200);
    expect(await chat(caller.key, 'gpt-test', true)).toBe(200);
    expect(await chat(caller.key, 'gpt-primary')).toBe(200);
    const limited = await gateway.createKey();
    await gateway.admin('PUT', `/admin/keys/${limited.id}/rate-limits`, { rpm: 1 });
    expect([await chat(limited.key, 'gpt-test'), await chat(limited.key, 'gpt-test')]).toEqual([200, 429]);
    const broke = await gateway.createKey();
    await gateway.admin('PUT', `/admin/keys/${broke.id}/budget`, { limit_usd: 0.000001, period: 'daily' });
    expect(await chat(broke.key, 'gpt-test')).toBe(402);
    const text = await eventually(
      async () => (await fetch(`${gateway.baseUrl}/metrics`)).text(),
      (scraped) => sampleValue(scraped, 'switchyard_requests_total', { api: 'chat' }) === 6,
    );
    scrape = text;
    series = scrapedSeries(text);
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
    await down?.stop();
  });

  it('the short run produced the series the panels name', () => {
    // A panel of a metric with no series would be blank: the run above must touch each kind.
    for (const name of [
      'switchyard_fallbacks_total',
      'switchyard_deployment_ejections_total',
      'switchyard_quota_rejections_total',
      'switchyard_cost_micro_usd_total',
      'gen_ai_server_time_to_first_token_seconds_bucket',
      'switchyard_ready',
    ]) {
      expect([name, series.has(name)]).toEqual([name, true]);
    }
    expect(series.get('switchyard_fallbacks_total')).toContain('reason');
  });

  const check = (source: string, expr: string) => {
    const { metrics, labels } = promqlNames(expr);
    expect([source, expr, metrics.size > 0]).toEqual([source, expr, true]);
    const missing = [...metrics].filter((metric) => !series.has(metric));
    expect([source, expr, missing]).toEqual([source, expr, []]);
    // Each label it groups or matches by is carried by one of its metrics.
    const carried = new Set([...metrics].flatMap((metric) => [...(series.get(metric) ?? [])]));
    expect([source, expr, [...labels].filter((label) => !carried.has(label))]).toEqual([source, expr, []]);
  };

  it('the dashboard queries only metrics and labels the gateway serves', () => {
    const expressions = dashboardExpressions();
    expect(expressions.length).toBeGreaterThan(15);
    for (const expr of expressions) check('deploy/grafana/switchyard.json', expr);
  });

  it('every alert is complete and uses only metrics and labels the gateway serves', () => {
    const rules = alertRules();
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        'SwitchyardErrorRatioHigh',
        'SwitchyardFallbackRateHigh',
        'SwitchyardAddedLatencyHigh',
        'SwitchyardInstanceNotReady',
      ]),
    );
    for (const rule of rules) {
      expect(rule).toMatchObject({
        alert: expect.stringMatching(/^Switchyard[A-Z]\w+$/),
        labels: { severity: expect.stringMatching(/^(info|warning|critical)$/) },
        annotations: { summary: expect.any(String), description: expect.any(String) },
      });
      check(`deploy/prometheus/alerts.yml ${rule.alert}`, rule.expr);
    }
  });

  it('the README and docs/ name only metrics /metrics serves, and describe every one of ours', () => {
    const [readme, ...pages] = docsAboutMetrics();
    const describing = [section(readme, 'Metrics and health'), ...pages];
    expect(metricProblems(scrape, [readme, ...pages], describing)).toEqual([]);
  });

  it('the metric check fails on a name /metrics does not serve and on a metric nobody describes', () => {
    const [readme, ...pages] = docsAboutMetrics();
    const planted = { where: readme.where, text: `${readme.text}\n| \`switchyard_bogus_total\` | | planted |\n` };
    expect(metricProblems(scrape, [planted], [])).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^README.md mentions switchyard_bogus_total, which \/metrics does not serve/),
        expect.stringMatching(/^switchyard_requests_total is served by \/metrics but not described in /),
      ]),
    );
    const metricsTable = section(readme, 'Metrics and health');
    const withoutReady = { ...metricsTable, text: metricsTable.text.replace(/^\| `switchyard_ready` .*$/m, '') };
    expect(metricProblems(scrape, [], [withoutReady, ...pages])).toEqual([
      expect.stringMatching(
        /^switchyard_ready is served by \/metrics but not described in README.md "Metrics and health" or /,
      ),
    ]);
  });

  const mountedRoutes = () =>
    gateway.gateway.app
      .get(RouteInventory)
      .routes.filter(({ method }) => method !== 'HEAD')
      .map(({ method, url }) => normalisedRoute(method, url));
  const endpointTables = (readme = readDoc('README.md'), operations = readDoc('docs/operations.md')) => ({
    listed: documentedRoutes(section(readme, 'Endpoints')),
    reference: documentedRoutes(section(operations, 'The HTTP API in full')),
  });

  it('the endpoint tables list only mounted routes, and docs/operations.md lists every /v1 and /admin route', () => {
    const { listed, reference } = endpointTables();
    expect(listed.length).toBeGreaterThan(40);
    expect(routeProblems(mountedRoutes(), listed, reference)).toEqual([]);
  });

  it('the route check fails on a route not mounted and on a mounted route left out of the reference', () => {
    const operations = readDoc('docs/operations.md');
    const edited = {
      ...operations,
      text: operations.text
        .replace(/^\| `GET \/admin\/usage.*$/m, (row) => `${row}\n| \`DELETE /admin/usage/{id}\` | owner | planted |`)
        .replace(/^\| `POST \/admin\/config\/reload` .*$/m, ''),
    };
    const { listed, reference } = endpointTables(undefined, edited);
    expect(routeProblems(mountedRoutes(), listed, reference)).toEqual([
      expect.stringMatching(
        /^docs\/operations.md "The HTTP API in full" lists DELETE \/admin\/usage\/\{\} .* but the gateway mounts no such route/,
      ),
      expect.stringMatching(
        /^POST \/admin\/config\/reload is mounted but docs\/operations.md "The HTTP API in full" leaves it out/,
      ),
    ]);
  });

  it('reads PromQL the way the checks above assume', () => {
    expect(
      promqlNames(
        'sum by (le, gen_ai_request_model) (rate(x_bucket{a="b", c=~"$model"}[$__rate_interval])) / on(d) y > 0.5',
      ),
    ).toEqual({ metrics: new Set(['x_bucket', 'y']), labels: new Set(['le', 'gen_ai_request_model', 'a', 'c', 'd']) });
  });
});
