import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchProcess, startPinned } from './processes';
import type { MemoryFigures, ProbeFigures } from './reliability-probe';

/**
 * The stall and memory targets of issue 13 (docs/reliability.md, "Streams" and "Requests"): hostile upstreams
 * and large legal bodies, measured on the gateway alone. The gateway runs in its own process with
 * `reliability-probe` preloaded (event-loop delay at 2 ms resolution, CPU time, memory after GC), the upstream
 * in another (test/fakes/hostile-upstream.ts), and this driver is the client. Each round starts a fresh
 * gateway, warms it up with ordinary requests, takes that as the memory baseline, then makes each request
 * twice: the first of its kind in the process, then a repeat. Figures: min / median / max over the rounds.
 */

const MiB = 1024 * 1024;
const WARM_UP_REQUESTS = 200;
/** The goals of issue 13, printed beside the figures. */
const STALL_GOAL_MS = 50;
const RSS_GOAL_MIB = 20;

/** The upstream behaviours of test/fakes/hostile-upstream.ts, each a model (and provider) of the catalog. */
const BEHAVIOURS = ['normal', 'endless-line', 'gzip-stream', 'gzip-answer'];

interface StallCase {
  name: string;
  path: '/v1/chat/completions' | '/v1/messages';
  body: Buffer;
  /** The hostile cases end with the client's own error; the large bodies are served. */
  expect: 'upstream_invalid_response' | 200;
}

const chat = (model: string, stream: boolean) =>
  Buffer.from(JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hello there' }] }));
/** 200k short messages (~9 MB): many small objects to parse, translate and write. */
const manyMessages = (extra: object) =>
  Buffer.from(
    JSON.stringify({
      model: 'normal',
      ...extra,
      messages: Array.from({ length: 200_000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` })),
    }),
  );

const CASES: StallCase[] = [
  {
    name: '64 MiB line',
    path: '/v1/chat/completions',
    body: chat('endless-line', true),
    expect: 'upstream_invalid_response',
  },
  {
    name: 'gzip-bombed stream',
    path: '/v1/chat/completions',
    body: chat('gzip-stream', true),
    expect: 'upstream_invalid_response',
  },
  {
    name: 'gzip-bombed answer',
    path: '/v1/chat/completions',
    body: chat('gzip-answer', false),
    expect: 'upstream_invalid_response',
  },
  { name: '10 MB body, 200k messages (chat)', path: '/v1/chat/completions', body: manyMessages({}), expect: 200 },
  {
    name: '10 MB body, one string (chat)',
    path: '/v1/chat/completions',
    body: Buffer.from(
      JSON.stringify({
        model: 'normal',
        messages: [{ role: 'user', content: 'Lorem ipsum dolor sit. '.repeat(450_000) }],
      }),
    ),
    expect: 200,
  },
  {
    name: '10 MB body, 200k messages (/v1/messages)',
    path: '/v1/messages',
    body: manyMessages({ max_tokens: 16 }),
    expect: 200,
  },
];

export interface ReliabilityBenchOptions {
  rounds: number;
  databaseUrl: string;
  adminKey: string;
  /** Starts a gateway with this environment added (the probe comes in through NODE_OPTIONS). */
  startGateway(env: NodeJS.ProcessEnv): Promise<BenchProcess>;
  /** Issues a gateway key through the admin API, under a team of that name (unique in the database). */
  issueKey(gatewayUrl: string, name: string): Promise<string>;
}

interface Sample {
  wallMs: number;
  probe: ProbeFigures;
  /** Settled RSS after the request minus the round's baseline (after warm-up). */
  rssVsBaselineMiB: number;
  upstreamSentMiB: number;
}

export async function reliabilityStalls(options: ReliabilityBenchOptions): Promise<void> {
  const upstream = await startPinned(join(process.cwd(), 'test/fakes/hostile-upstream.ts'), 1, {
    NODE_OPTIONS: `--require ${resolve('test/utils/swc-register.js')}`,
  });
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const samples = new Map<string, Sample[]>();
  try {
    for (let round = 0; round < options.rounds; round++) {
      const gateway = await options.startGateway({
        DATABASE_URL: options.databaseUrl,
        SWITCHYARD_ADMIN_KEY: options.adminKey,
        SWITCHYARD_CONFIG: catalogFile(upstreamUrl),
        LOG_LEVEL: 'warn',
        // .js when built, .ts when run from source.
        NODE_OPTIONS: `--require ${resolve(__dirname, `reliability-probe${extname(__filename)}`)}`,
      });
      try {
        renice(gateway);
        await oneRound(
          gateway,
          upstreamUrl,
          await options.issueKey(`http://127.0.0.1:${gateway.port}`, `bench-stalls-${round}`),
          samples,
        );
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await upstream.stop();
  }
  report(samples, options.rounds);
}

async function oneRound(
  gateway: BenchProcess,
  upstreamUrl: string,
  key: string,
  samples: Map<string, Sample[]>,
): Promise<void> {
  const call = async (path: string, body: Buffer) => {
    const response = await fetch(`http://127.0.0.1:${gateway.port}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, text: await response.text() };
  };
  // The baseline: a gateway that has served ordinary traffic (JIT, pools, caches warm), not one just started.
  for (let i = 0; i < WARM_UP_REQUESTS; i++) await call('/v1/chat/completions', chat('normal', i % 2 === 0));
  const baseline = (await probe(gateway, 'start')) as MemoryFigures;
  await probe(gateway, 'stop');
  for (const stall of selectedCases()) {
    for (const which of ['first', 'repeat']) {
      await probe(gateway, 'start');
      const started = performance.now();
      const answer = await call(stall.path, stall.body);
      const wallMs = performance.now() - started;
      const figures = (await probe(gateway, 'stop')) as ProbeFigures;
      const met = stall.expect === 200 ? answer.status === 200 : answer.text.includes(stall.expect);
      if (!met)
        throw new Error(`${stall.name}: expected ${stall.expect}, got ${answer.status} ${answer.text.slice(0, 200)}`);
      const stats = (await (await fetch(`${upstreamUrl}/stats`)).json()) as { sent: number };
      const name = `${stall.name} (${which})`;
      samples.set(name, [
        ...(samples.get(name) ?? []),
        {
          wallMs,
          probe: figures,
          rssVsBaselineMiB: (figures.after.rss - baseline.rss) / MiB,
          upstreamSentMiB: stall.expect === 200 ? NaN : stats.sent / MiB,
        },
      ]);
    }
  }
}

/** `BENCH_STALL_CASES=10 MB`: only the cases whose name contains that text (all of them by default). */
function selectedCases(): StallCase[] {
  const only = process.env.BENCH_STALL_CASES;
  return only ? CASES.filter((stall) => stall.name.includes(only)) : CASES;
}

/**
 * `BENCH_GATEWAY_NICE=-10`: every thread of the gateway at that priority, so that on a machine shared with
 * other work (a CI host, other test runs) the stall figures are the gateway's own turns, not the time other
 * processes held its core. Linux only; needs the privilege to raise a priority.
 */
function renice(gateway: BenchProcess): void {
  const nice = process.env.BENCH_GATEWAY_NICE;
  if (!nice) return;
  const threads = readdirSync(`/proc/${gateway.child.pid}/task`);
  execFileSync('renice', ['-n', nice, '-p', ...threads], { stdio: 'ignore' });
}

/** Sends a probe command to the gateway and waits for its answer. */
function probe(gateway: BenchProcess, command: 'start' | 'stop'): Promise<MemoryFigures | ProbeFigures> {
  return new Promise((resolve) => {
    const onMessage = (message: { probe?: string; memory?: MemoryFigures; figures?: ProbeFigures }) => {
      if (message.probe !== (command === 'start' ? 'started' : 'stopped')) return;
      gateway.child.off('message', onMessage);
      resolve(message.figures ?? message.memory!);
    };
    gateway.child.on('message', onMessage);
    gateway.child.send({ probe: command });
  });
}

function report(samples: Map<string, Sample[]>, rounds: number): void {
  const range = (values: number[], digits = 1) => {
    const sorted = [...values].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    return `${sorted[0].toFixed(digits)} / ${median.toFixed(digits)} / ${sorted.at(-1)!.toFixed(digits)}`;
  };
  const delta = (s: Sample, field: keyof MemoryFigures) => (s.probe.after[field] - s.probe.before[field]) / MiB;
  console.log(
    `\nHostile upstreams and large bodies, gateway alone (${rounds} fresh gateway(s); min / median / max; memory after GC, MiB):`,
  );
  for (const [name, list] of samples) {
    console.log(
      `  ${name}: wall ${range(
        list.map((s) => s.wallMs),
        0,
      )} ms; ` +
        `max loop delay ${range(list.map((s) => s.probe.maxDelayMs))} ms (goal < ${STALL_GOAL_MS}), ` +
        `p99 ${range(list.map((s) => s.probe.p99DelayMs))} ms, longest GC pause ${range(list.map((s) => s.probe.maxGcPauseMs))} ms; CPU ${range(
          list.map((s) => s.probe.cpuMs),
          0,
        )} ms; ` +
        `RSS vs baseline ${range(list.map((s) => s.rssVsBaselineMiB))} (goal ≤ ${RSS_GOAL_MIB}), ` +
        `Δ rss ${range(list.map((s) => delta(s, 'rss')))}, heapTotal ${range(list.map((s) => delta(s, 'heapTotal')))}, ` +
        `heapUsed ${range(list.map((s) => delta(s, 'heapUsed')))}, external ${range(list.map((s) => delta(s, 'external')))}, ` +
        `[heap] ${range(list.map((s) => delta(s, 'brkHeap')))}, anonymous ${range(list.map((s) => delta(s, 'anonymous')))}; ` +
        `upstream wrote ${range(list.map((s) => s.upstreamSentMiB))} MiB`,
    );
  }
}

function catalogFile(upstreamUrl: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'switchyard-reliability-')), 'catalog.json');
  writeFileSync(
    file,
    JSON.stringify({
      providers: BEHAVIOURS.map((behaviour) => ({
        id: behaviour,
        type: 'openai',
        base_url: `${upstreamUrl}/${behaviour}/v1`,
        api_key: 'sk-bench-provider-key',
      })),
      // One attempt each: a hostile answer is not retried elsewhere.
      models: BEHAVIOURS.map((behaviour) => ({
        name: behaviour,
        deployments: [{ provider: behaviour, model: 'gpt-test' }],
        retry: { max_attempts: 1 },
      })),
    }),
  );
  return file;
}
