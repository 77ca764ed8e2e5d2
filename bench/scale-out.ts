import { Agent, request } from 'node:http';
import { ADMIN_KEY, catalogFile, issueKey, issueLimitedKey, keyBalance } from './gateway-setup';
import { CHAT_BODY, maxThroughput, Target } from './load';
import { BenchProcess, startGateway, startPinned } from './processes';
import { cpuMsOf } from './service-cpu';

/**
 * `npm run bench -- --scale-out`: two gateway instances on one Postgres and one Redis (the same database,
 * catalog, key and Redis, so their budgets and rate-limit windows are shared), driven at once with half the
 * connections each, against one instance alone with all of them. Reports requests/s of each and together and
 * the CPU per request of the gateways, Redis and Postgres, from which a fleet is sized; then checks that a
 * shared rate limit and a shared budget admitted nothing beyond themselves across the two instances.
 *
 * Placement on this 2-core machine: both instances on core 0 (where `npm run bench` runs the one gateway), the
 * load generator, the fake upstream, Postgres and Redis on core 1. The two instances therefore share one core:
 * together they cannot serve more than one instance does, and the figure to read is the CPU per request (of
 * the gateways, of Redis, of Postgres) with two instances sharing state, not the throughput ratio.
 */
export async function scaleOut(options: { databaseUrl: string; seconds: number; smoke: boolean }): Promise<void> {
  if (!process.env.REDIS_URL) throw new Error('--scale-out needs REDIS_URL: instances share rate limits through Redis');
  const processes: BenchProcess[] = [];
  try {
    const upstream = await startPinned('dist/bench/fake-upstream.js', 1, {});
    processes.push(upstream);
    const env = {
      DATABASE_URL: options.databaseUrl,
      SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
      SWITCHYARD_CONFIG: catalogFile(`http://127.0.0.1:${upstream.port}`),
      LOG_LEVEL: 'info',
      REDIS_URL: process.env.REDIS_URL,
      // As a two-instance fleet is configured: should Redis fail, each counts half of every limit in memory.
      RATE_LIMIT_INSTANCES: '2',
    };
    const instances = [await startGateway(0, env), await startGateway(0, env)];
    processes.push(...instances);
    const urls = instances.map((instance) => `http://127.0.0.1:${instance.port}`);
    const key = await issueKey(urls[0], 'scale-out');
    const targets: Target[] = urls.map((url, i) => ({
      name: `instance ${'AB'[i]}`,
      url,
      headers: { authorization: `Bearer ${key}` },
    }));
    for (const target of targets) await maxThroughput(target, 1); // warm-up: JIT, pools, key caches, leases

    const alone = await measured(instances.slice(0, 1), () => maxThroughput(targets[0], options.seconds, 50));
    const both = await measured(instances, () =>
      Promise.all(targets.map((target) => maxThroughput(target, options.seconds, 25))),
    );
    report(alone, both, options.seconds);
    await checkSharedLimits(urls, options.smoke);
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
  }
}

interface Measured<T> {
  result: T;
  gatewayMs: number[];
  redisMs: number;
  postgresMs: number;
}

/** CPU (ms) of each instance, of Redis and of Postgres while `run` runs. */
async function measured<T>(instances: BenchProcess[], run: () => Promise<T>): Promise<Measured<T>> {
  const gatewayBefore = instances.map((instance) => instance.cpuMs());
  const [redisBefore, postgresBefore] = [cpuMsOf('redis-server'), cpuMsOf('postgres')];
  const result = await run();
  return {
    result,
    gatewayMs: instances.map((instance, i) => instance.cpuMs() - gatewayBefore[i]),
    redisMs: cpuMsOf('redis-server') - redisBefore,
    postgresMs: cpuMsOf('postgres') - postgresBefore,
  };
}

function report(
  alone: Measured<{ rps: number; ok: number }>,
  both: Measured<Array<{ rps: number; ok: number }>>,
  seconds: number,
): void {
  const us = (ms: number, requests: number) => ((ms * 1000) / Math.max(1, requests)).toFixed(0);
  const total = both.result.reduce((sum, r) => sum + r.ok, 0);
  const rows = [
    ['', 'instance A', 'instance B', 'A + B together', 'one instance alone'],
    [
      'requests/s',
      ...both.result.map((r) => r.rps.toFixed(0)),
      (total / seconds).toFixed(0),
      alone.result.rps.toFixed(0),
    ],
    [
      'gateway CPU per request (µs)',
      ...both.result.map((r, i) => us(both.gatewayMs[i], r.ok)),
      us(both.gatewayMs[0] + both.gatewayMs[1], total),
      us(alone.gatewayMs[0], alone.result.ok),
    ],
    ['Redis CPU per request (µs)', '', '', us(both.redisMs, total), us(alone.redisMs, alone.result.ok)],
    ['Postgres CPU per request (µs)', '', '', us(both.postgresMs, total), us(alone.postgresMs, alone.result.ok)],
  ];
  console.log(rows.map((row) => `| ${row.join(' | ')} |`).join('\n'));
  console.log(
    `(${seconds} s of autocannon each: 25 connections to each instance at once, or 50 to one; both instances ` +
      'on core 0, load generator, upstream, Postgres and Redis on core 1)',
  );
}

/**
 * Two keys, each with one limit meant to be reached, driven through both instances at once: every request
 * beyond the shared window must be refused (429), and what the budget was charged must stay within it (402s
 * once its headroom is gone). Anything else but a 503 from an overloaded instance fails the run.
 */
async function checkSharedLimits(urls: string[], smoke: boolean): Promise<void> {
  const rpm = smoke ? 100 : 300;
  const limited = await issueLimitedKey(urls[0], 'scale-out-rpm', { rpm });
  const perInstance = rpm; // twice the limit in all, within the minute
  const rate = await Promise.all(urls.map((url) => statusCounts(url, limited.key, CHAT_BODY, perInstance)));
  const admitted = rate.reduce((sum, counts) => sum + (counts[200] ?? 0), 0);
  // A Redis command over RATE_LIMIT_REDIS_TIMEOUT_MS (a saturated machine) sends an instance to its memory
  // windows for a second: then the shared window was not what decided, and the check proves nothing.
  const storeErrors = (await Promise.all(urls.map(rateLimitStoreErrors))).reduce((sum, n) => sum + n, 0);
  const rateOk = admitted <= rpm && rate.every((counts) => only(counts, ['200', '429', '503']));
  console.log(
    `rate limit ${rpm}/min shared: ${admitted} of ${2 * perInstance} admitted (A ${JSON.stringify(rate[0])}, ` +
      `B ${JSON.stringify(rate[1])}; Redis timeouts ${storeErrors}): ${rateOk ? 'ok' : 'OVER-ADMITTED or failed'}`,
  );

  // 17.6 µUSD a request at the fake upstream's usage and the bench's prices: room for ~110 requests. A small
  // max_tokens keeps each reservation near that (without it, the model's whole output cap is reserved).
  const budgetUsd = 0.002;
  const budgeted = await issueLimitedKey(urls[0], 'scale-out-budget', { budgetUsd });
  const body = JSON.stringify({ ...(JSON.parse(CHAT_BODY) as object), max_tokens: 16 });
  const spend = await Promise.all(urls.map((url) => statusCounts(url, budgeted.key, body, 200)));
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the ledger's batched flush
  const balance = await keyBalance(urls[0], budgeted.id);
  const served = spend.reduce((sum, counts) => sum + (counts[200] ?? 0), 0);
  const budgetOk =
    balance.spent_usd <= balance.limit_usd && spend.every((counts) => only(counts, ['200', '402', '503']));
  console.log(
    `budget $${balance.limit_usd} shared: ${served} served, $${balance.spent_usd} spent (A ${JSON.stringify(spend[0])}, ` +
      `B ${JSON.stringify(spend[1])}): ${budgetOk ? 'ok' : 'OVER-ADMITTED or failed'}`,
  );
  if (storeErrors > 0)
    throw new Error(`scale-out: Redis timed out ${storeErrors} times (windows counted in memory meanwhile)`);
  if (!rateOk || !budgetOk) throw new Error('scale-out: a shared limit admitted more than it allows');
}

async function rateLimitStoreErrors(url: string): Promise<number> {
  const response = await fetch(`${url}/admin/quota/stats`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return ((await response.json()) as { rate_limit_store_errors: number }).rate_limit_store_errors;
}

/**
 * Whether every answer was one of `statuses`. A 503 is an instance shedding load (its event loop ran late: the
 * machine is saturated), refused before any limit was consulted: not an admission, and reported.
 */
function only(counts: Record<string, number>, statuses: readonly string[]): boolean {
  return Object.keys(counts).every((status) => statuses.includes(status));
}

/** `count` chat completions, 8 in flight; how many ended with each HTTP status. */
async function statusCounts(url: string, key: string, body: string, count: number) {
  const concurrency = 8;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const counts: Record<string, number> = {};
  let next = 0;
  const worker = async () => {
    while (next++ < count) {
      const status = await post(url, key, body, agent);
      counts[status] = (counts[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return counts;
}

function post(url: string, key: string, body: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(`${url}/v1/chat/completions`);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
