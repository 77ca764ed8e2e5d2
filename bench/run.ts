import { fixedRateLatency, holdStreams, LatencySample, maxThroughput, median, streamTimings, Target } from './load';
import { ADMIN_KEY, catalogFile, createDatabase, issueKey } from './gateway-setup';
import { BenchProcess, pin, pinServices, startGateway, startPinned } from './processes';
import { reliabilityStalls } from './reliability-stalls';
import { cpuMsOf } from './service-cpu';

/**
 * `npm run bench`: direct-to-upstream, a minimal Node proxy (the floor) and Switchyard with every feature on,
 * measured side by side in one run, interleaved over rounds (the machine is noisy; ratios from the same run
 * are what count). `--smoke` runs a 10-second version for CI.
 *   core 0: the gateway or the floor proxy        core 1: this driver (load generator), the fake upstream,
 *                                                          Postgres and Redis
 */
const SMOKE = process.argv.includes('--smoke');
const ROUNDS = SMOKE ? 1 : 3;
const THROUGHPUT_SECONDS = SMOKE ? 1 : 5;
const LATENCY_SECONDS = SMOKE ? 1 : 5;
const LATENCY_RATE = 500;
/** The steady-state latency rows: this long at the rate unmeasured, then as long again measured. */
const STEADY_SECONDS = SMOKE ? 1 : 5;
const STREAMS = SMOKE ? 20 : 200;
const HELD_STREAMS = SMOKE ? 100 : 1_000;

async function main(): Promise<void> {
  pin(process.pid, 1);
  const unpinServices = pinServices(['postgres', 'redis-server'], 1);
  const database = await createDatabase();
  const processes: BenchProcess[] = [];
  try {
    const upstream = await startPinned('dist/bench/fake-upstream.js', 1, { SLOW_CHUNK_DELAY_MS: '200' });
    processes.push(upstream);
    const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
    const proxy = await startPinned('dist/bench/node-proxy.js', 0, { UPSTREAM_URL: upstreamUrl });
    processes.push(proxy);
    const gateway = await startGateway(0, {
      DATABASE_URL: database.url,
      SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
      SWITCHYARD_CONFIG: catalogFile(upstreamUrl),
      LOG_LEVEL: 'info',
      // Shared rate-limit counters in Redis when REDIS_URL is set (as in production); in-process otherwise.
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    });
    processes.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${gateway.port}`;
    const key = await issueKey(gatewayUrl);
    const idleRss = gateway.rssMb();

    const targets: Target[] = [
      { name: 'direct', url: upstreamUrl, headers: {} },
      { name: 'node-proxy', url: `http://127.0.0.1:${proxy.port}`, headers: {} },
      { name: 'switchyard', url: gatewayUrl, headers: { authorization: `Bearer ${key}` } },
    ];
    const servedBefore = await upstreamServed(upstreamUrl);
    let counted = 0;

    // Warm-up: JIT, connection pools, key cache.
    for (const target of targets) counted += (await maxThroughput(target, 1)).ok;

    const throughput = new Map<string, number[]>();
    const latency = new Map<string, LatencySample[]>();
    // What the gateway's Redis and Postgres spend on its requests, on the same machine.
    const services = { requests: 0, redisMs: 0, postgresMs: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      for (const target of rotate(targets, round)) {
        const [redisBefore, postgresBefore] = [cpuMsOf('redis-server'), cpuMsOf('postgres')];
        const result = await maxThroughput(target, THROUGHPUT_SECONDS);
        counted += result.ok;
        push(throughput, target.name, result.rps);
        if (target.name === 'switchyard') {
          services.requests += result.ok;
          services.redisMs += cpuMsOf('redis-server') - redisBefore;
          services.postgresMs += cpuMsOf('postgres') - postgresBefore;
        }
      }
      for (const target of rotate(targets, round)) {
        push(latency, target.name, await fixedRateLatency(target, LATENCY_RATE, LATENCY_SECONDS));
        counted += LATENCY_RATE * LATENCY_SECONDS;
      }
    }
    // The rounds above measure right after saturating runs (the gateway then pays its major GC); these measure
    // the same rate once it has run for a while. The floor proxy allocates too little for the difference to show.
    const steady = new Map<string, LatencySample>();
    for (const target of [targets[0], targets[2]]) {
      steady.set(target.name, await fixedRateLatency(target, LATENCY_RATE, STEADY_SECONDS, STEADY_SECONDS));
      counted += 2 * LATENCY_RATE * STEADY_SECONDS;
    }
    const streams = new Map<string, { firstChunkMs: number; totalMs: number; chunksPerStream: number }>();
    for (const target of targets) {
      streams.set(target.name, await streamTimings(target, STREAMS));
      counted += STREAMS;
    }
    const served = (await upstreamServed(upstreamUrl)) - servedBefore;
    if (served < counted)
      throw new Error(`the upstream served ${served} requests but ${counted} were counted as answered`);

    const loadedRss = gateway.rssMb();
    let peakRss = loadedRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, gateway.rssMb())), 100);
    const held = performance.now();
    await holdStreams(targets[2], HELD_STREAMS);
    clearInterval(sampler);
    const heldSeconds = (performance.now() - held) / 1000;

    report({
      throughput,
      latency,
      steady,
      streams,
      idleRss,
      loadedRss,
      peakRss,
      heldSeconds,
      served,
      counted,
      services,
      quota: await quotaStats(gatewayUrl),
    });
    // Hostile upstreams (stall and memory targets), fresh gateways of their own; too long for the smoke run.
    if (!SMOKE) {
      await reliabilityStalls({
        rounds: 5,
        databaseUrl: database.url,
        adminKey: ADMIN_KEY,
        startGateway: (env) => startGateway(0, env),
        issueKey,
      });
    }
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await database.drop();
    unpinServices();
  }
}

function report(r: {
  throughput: Map<string, number[]>;
  latency: Map<string, LatencySample[]>;
  steady: Map<string, LatencySample>;
  streams: Map<string, { firstChunkMs: number; totalMs: number; chunksPerStream: number }>;
  idleRss: number;
  loadedRss: number;
  peakRss: number;
  heldSeconds: number;
  served: number;
  counted: number;
  services: { requests: number; redisMs: number; postgresMs: number };
  quota: QuotaStats;
}): void {
  const rps = (name: string) => median(r.throughput.get(name)!);
  const lat = (name: string, q: keyof LatencySample) => median(r.latency.get(name)!.map((s) => s[q]));
  const added = (name: string, q: keyof LatencySample) => lat(name, q) - lat('direct', q);
  const stream = (name: string) => r.streams.get(name)!;
  const perRequest = (cpuMs: number) => (cpuMs * 1000) / Math.max(1, r.services.requests);
  const rows = [
    ['metric', 'direct', 'node-proxy', 'switchyard', 'target'],
    [
      'throughput, 50 conns (req/s)',
      fmt(rps('direct'), 0),
      fmt(rps('node-proxy'), 0),
      fmt(rps('switchyard'), 0),
      `≥ 0.5× floor: ${fmt(rps('switchyard') / rps('node-proxy'), 2)}×`,
    ],
    ['CPU per request (µs, 1 core)', '', fmt(1e6 / rps('node-proxy'), 0), fmt(1e6 / rps('switchyard'), 0), '≤ 200'],
    [
      'Redis + Postgres CPU per request (µs)',
      '',
      '',
      `${fmt(perRequest(r.services.redisMs), 0)} + ${fmt(perRequest(r.services.postgresMs), 0)}`,
      'on core 1, not in the above',
    ],
    ...(['p50', 'p90', 'p99'] as const).map((q) => [
      `latency ${q} @${LATENCY_RATE}/s (ms)`,
      fmt(lat('direct', q), 2),
      `${fmt(lat('node-proxy', q), 2)} (+${fmt(added('node-proxy', q), 2)})`,
      `${fmt(lat('switchyard', q), 2)} (+${fmt(added('switchyard', q), 2)})`,
      q === 'p50' ? '≤ +0.8' : q === 'p99' ? '≤ +4' : '',
    ]),
    ...(['p50', 'p99'] as const).map((q) => {
      const [direct, switchyard] = [r.steady.get('direct')![q], r.steady.get('switchyard')![q]];
      return [
        `latency ${q} @${LATENCY_RATE}/s, steady (ms)`,
        fmt(direct, 2),
        '',
        `${fmt(switchyard, 2)} (+${fmt(switchyard - direct, 2)})`,
        q === 'p50' ? '≤ +0.8' : '≤ +4',
      ];
    }),
    [
      'stream first chunk (ms)',
      ...['direct', 'node-proxy', 'switchyard'].map((n) => fmt(stream(n).firstChunkMs, 2)),
      `≤ +1: +${fmt(stream('switchyard').firstChunkMs - stream('direct').firstChunkMs, 2)}`,
    ],
    [
      'stream total, 20 chunks (ms)',
      ...['direct', 'node-proxy', 'switchyard'].map((n) => fmt(stream(n).totalMs, 2)),
      `≤ +3: +${fmt(stream('switchyard').totalMs - stream('direct').totalMs, 2)}`,
    ],
    [
      'stream reads per response',
      ...['direct', 'node-proxy', 'switchyard'].map((n) => fmt(stream(n).chunksPerStream, 0)),
      'chunks not batched',
    ],
    ['gateway RSS idle, after start (MB)', '', '', fmt(r.idleRss, 0), '≤ 120'],
    ['gateway RSS idle, after the load (MB)', '', '', fmt(r.loadedRss, 0), ''],
    [
      `gateway RSS, ${HELD_STREAMS} slow streams (MB)`,
      '',
      '',
      fmt(r.peakRss, 0),
      `≤ 200; all done in ${fmt(r.heldSeconds, 1)} s`,
    ],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => String(row[i]).length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  console.log(
    [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n'),
  );
  console.log(`\n${ROUNDS} round(s), medians; upstream served ${r.served} requests for ${r.counted} counted answers.`);
  const checks = r.quota.budget_checks_from_lease + r.quota.lease_queries;
  console.log(
    `Budgets: ${r.quota.budget_checks_from_lease} of ${checks} budget checks answered from leased headroom; ` +
      `${r.quota.lease_queries} lease statements (${fmt(r.quota.lease_queries / Math.max(1, checks), 5)} per check), ` +
      `${r.quota.ledger_flushes} ledger flushes for ${r.quota.ledger_entries} settled requests.`,
  );
}

const fmt = (value: number, digits: number) => value.toFixed(digits);
const push = <T>(map: Map<string, T[]>, key: string, value: T) => map.set(key, [...(map.get(key) ?? []), value]);
const rotate = <T>(items: T[], by: number) => [...items.slice(by % items.length), ...items.slice(0, by % items.length)];

interface QuotaStats {
  budget_checks_from_lease: number;
  lease_queries: number;
  ledger_flushes: number;
  ledger_entries: number;
}

async function quotaStats(gatewayUrl: string): Promise<QuotaStats> {
  const response = await fetch(`${gatewayUrl}/admin/quota/stats`, {
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
  });
  return (await response.json()) as QuotaStats;
}

async function upstreamServed(upstreamUrl: string): Promise<number> {
  return ((await (await fetch(`${upstreamUrl}/stats`)).json()) as { served: number }).served;
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
