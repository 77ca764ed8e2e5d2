import { fixedRateLatency, holdStreams, LatencySample, maxThroughput, median, Target } from './load';
import { ADMIN_KEY, catalogFile, createDatabase, issueKey } from './gateway-setup';
import { BenchProcess, pin, pinServices, startGateway, startPinned } from './processes';
import { reliabilityStalls } from './reliability-stalls';
import { scaleOut } from './scale-out';
import { cpuMsOf } from './service-cpu';
import { streamCpuPerChunk, streamLatency, streamRow, StreamRow, streamTable } from './stream-latency';

/**
 * `npm run bench`: direct-to-upstream, a minimal Node proxy (the floor) and Switchyard with every feature on,
 * measured side by side in one run, interleaved over rounds (the machine is noisy; ratios from the same run
 * are what count). `--smoke` runs a 10-second version for CI; `--streams` only the stream timings (with
 * the role-first upstream too) and the gateway's CPU per streamed chunk (`npm run bench -- --streams`);
 * `--scale-out` two gateway instances on one Postgres and one Redis (bench/scale-out.ts).
 *   core 0: the gateway or the floor proxy        core 1: this driver (load generator), the fake upstream,
 *                                                          Postgres and Redis
 */
const SMOKE = process.argv.includes('--smoke');
/** Only the stream timings (sequential single requests, hardly disturbed by other load on the machine). */
const STREAMS_ONLY = process.argv.includes('--streams');
/** Two gateway instances on one Postgres and one Redis instead (bench/scale-out.ts). */
const SCALE_OUT = process.argv.includes('--scale-out');
const ROUNDS = SMOKE ? 1 : 3;
const THROUGHPUT_SECONDS = SMOKE ? 1 : 5;
const LATENCY_SECONDS = SMOKE ? 1 : 5;
const LATENCY_RATE = 500;
/** The steady-state latency rows: this long at the rate unmeasured, then as long again measured. */
const STEADY_SECONDS = SMOKE ? 1 : 5;
const STREAMS = SMOKE ? 20 : 200;
/** Paced streams (20 chunks 5 ms apart, ≈ 0.1 s each) and streams on new connections, per target. */
const FEW_STREAMS = SMOKE ? 5 : 30;
/** Streams (and as many non-stream requests) for the gateway's CPU per streamed chunk. */
const CPU_STREAMS = SMOKE ? 50 : 1_000;
const CHUNKS = 20;
const HELD_STREAMS = SMOKE ? 100 : 1_000;

async function main(): Promise<void> {
  pin(process.pid, 1);
  const unpinServices = pinServices(['postgres', 'redis-server'], 1);
  const database = await createDatabase();
  const processes: BenchProcess[] = [];
  try {
    if (SCALE_OUT) return await scaleOut({ databaseUrl: database.url, seconds: THROUGHPUT_SECONDS, smoke: SMOKE });
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
    if (STREAMS_ONLY) {
      for (const target of targets) await maxThroughput(target, 1); // warm-up
      const rows = await streamLatency(targets, targets[2], {
        streams: STREAMS,
        paced: FEW_STREAMS,
        roleFirst: STREAMS,
      });
      console.log(streamTable(rows, TARGET_NAMES));
      const cpu = await streamCpuPerChunk(targets[2], gateway, CPU_STREAMS, CHUNKS);
      console.log(
        `gateway CPU: ${fmt(cpu.perRequestUs, 0)} µs a non-stream request, ${fmt(cpu.perStreamUs, 0)} µs a ` +
          `${CHUNKS}-chunk stream: ${fmt(cpu.perChunkUs, 1)} µs a chunk`,
      );
      return;
    }
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
    const streams = await streamLatency(targets, targets[2], { streams: STREAMS, paced: FEW_STREAMS });
    counted += 3 * STREAMS + 2 * STREAMS + 6 * FEW_STREAMS;
    const streamCpu = await streamCpuPerChunk(targets[2], gateway, CPU_STREAMS, CHUNKS);
    counted += 2 * CPU_STREAMS;
    const served = (await upstreamServed(upstreamUrl)) - servedBefore;
    if (served < counted)
      throw new Error(`the upstream served ${served} requests but ${counted} were counted as answered`);

    const loadedRss = gateway.rssMb();
    let peakRss = loadedRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, gateway.rssMb())), 100);
    const held = performance.now();
    const heldCpuBefore = gateway.cpuMs();
    await holdStreams(targets[2], HELD_STREAMS);
    clearInterval(sampler);
    const heldSeconds = (performance.now() - held) / 1000;
    const heldCpuMs = gateway.cpuMs() - heldCpuBefore;

    report({
      throughput,
      latency,
      steady,
      streams,
      streamCpu,
      heldCpuMs,
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
  streams: StreamRow[];
  streamCpu: { perChunkUs: number; perStreamUs: number; perRequestUs: number };
  heldCpuMs: number;
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
  const stream = (name: string, kind: Parameters<typeof streamRow>[2] = 'chat') => streamRow(r.streams, name, kind)!;
  const streamCells = (kind: Parameters<typeof streamRow>[2], q: 'firstByteMs' | 'firstContentMs' | 'totalMs') =>
    TARGET_NAMES.map((n) => fmt(stream(n, kind)[q], 2));
  const streamAdded = (kind: Parameters<typeof streamRow>[2], q: 'firstByteMs' | 'firstContentMs' | 'totalMs') =>
    `+${fmt(stream('switchyard', kind)[q] - stream('direct', kind)[q], 2)}`;
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
    ['stream first byte (ms)', ...streamCells('chat', 'firstByteMs'), streamAdded('chat', 'firstByteMs')],
    [
      'stream first content token (ms)',
      ...streamCells('chat', 'firstContentMs'),
      `≤ +0.8: ${streamAdded('chat', 'firstContentMs')}`,
    ],
    [
      'first content, /v1/messages | /v1/responses (ms)',
      '',
      '',
      `${fmt(stream('switchyard', 'messages').firstContentMs, 2)} | ${fmt(stream('switchyard', 'responses').firstContentMs, 2)}`,
      `+${fmt(stream('switchyard', 'messages').firstContentMs - stream('direct').firstContentMs, 2)} | ` +
        `+${fmt(stream('switchyard', 'responses').firstContentMs - stream('direct').firstContentMs, 2)}`,
    ],
    [
      'first content, chunks 5 ms apart (ms)',
      ...streamCells('chat paced', 'firstContentMs'),
      streamAdded('chat paced', 'firstContentMs'),
    ],
    [
      'first content, new connection each (ms)',
      ...streamCells('chat new connection', 'firstContentMs'),
      streamAdded('chat new connection', 'firstContentMs'),
    ],
    [
      `stream total, ${CHUNKS} chunks (ms)`,
      ...streamCells('chat', 'totalMs'),
      `≤ +3: ${streamAdded('chat', 'totalMs')}`,
    ],
    ['stream reads per response', ...TARGET_NAMES.map((n) => fmt(stream(n).readsPerStream, 0)), 'chunks not batched'],
    [
      'gateway CPU per streamed chunk (µs)',
      '',
      '',
      fmt(r.streamCpu.perChunkUs, 1),
      `(${fmt(r.streamCpu.perStreamUs, 0)} a stream − ${fmt(r.streamCpu.perRequestUs, 0)} a request) / ${CHUNKS}`,
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
    [
      `gateway CPU, ${HELD_STREAMS} slow streams (ms)`,
      '',
      '',
      fmt(r.heldCpuMs, 0),
      `${fmt(r.heldCpuMs / HELD_STREAMS, 2)} ms a stream of ${CHUNKS} chunks`,
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

const TARGET_NAMES = ['direct', 'node-proxy', 'switchyard'];
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
