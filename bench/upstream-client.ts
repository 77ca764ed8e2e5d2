import { HttpService } from '@nestjs/axios';
import { fork } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { BenchProcess, startPinned } from './processes';

/**
 * `npm run bench:upstream-client`: what one upstream call costs the calling process, client by client, in CPU
 * (`process.cpuUsage`) and in bytes allocated (V8's `--trace-gc-nvp`), against the benchmark's fake upstream in
 * its own process. The clients, each with keep-alive connections to the one upstream:
 *   - gateway: the gateway's `UpstreamHttpService` as the adapters call it (`send`, then `text()` or the body's
 *     chunks), with its timers, cancellation, decompression check and error mapping; loaded from the built
 *     libs (`dist/libs`, or UPSTREAM_BENCH_LIBS);
 *   - baseline, when UPSTREAM_BENCH_BASELINE_LIBS names another build of the libs (of an earlier commit, say):
 *     the same calls through that build's service, to measure a change to it side by side;
 *   - undici: an undici `Pool`, `request()` with headers and body timeouts, the body read as text or iterated;
 *   - http: a bare `http.request` on a keep-alive agent, the cheapest Node can do over HTTP/1.1.
 * Non-stream calls read a chat completion; stream calls iterate 23 SSE chunks. The calls run in a child process
 * (so that its GC trace covers them alone), UPSTREAM_BENCH_REQUESTS (5,000) per window at 16 in flight, in
 * UPSTREAM_BENCH_ROUNDS (4) rounds whose client order rotates, so that drift in the machine's load is shared
 * out; the table shows the median window and the spread.
 */
const REQUESTS = Number(process.env.UPSTREAM_BENCH_REQUESTS ?? 5_000);
const ROUNDS = Number(process.env.UPSTREAM_BENCH_ROUNDS ?? 4);
const IN_FLIGHT = 16;
const BASELINE_LIBS = process.env.UPSTREAM_BENCH_BASELINE_LIBS;
type ClientName = 'gateway' | 'baseline' | 'undici' | 'http';
const CLIENTS: readonly ClientName[] = BASELINE_LIBS
  ? ['gateway', 'baseline', 'undici', 'http']
  : ['gateway', 'undici', 'http'];
const MODES = ['json', 'stream'] as const;
type Mode = (typeof MODES)[number];

interface WindowCommand {
  client: ClientName;
  mode: Mode;
  requests: number;
}
interface WindowReply {
  cpuUs: number;
  wallMs: number;
  /** On the clock of the GC trace (ms since the isolate started): the window's forced scavenges fall inside. */
  fromMs: number;
  toMs: number;
}

const BODIES: Record<Mode, string> = {
  json: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello' }] }),
  stream: JSON.stringify({
    model: 'bench',
    messages: [{ role: 'user', content: 'Say hello' }],
    stream: true,
    stream_options: { include_usage: true },
  }),
};
const HEADERS = {
  'user-agent': 'switchyard',
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: 'Bearer sk-bench-upstream',
};

// ---------------------------------------------------------------------------------------------------------------
// The runner: a child process that makes the calls.

/** One call: resolves once the whole body has been read. */
type Call = (mode: Mode) => Promise<void>;

/** The parts of the built libs the runner uses (loaded at run time: the bench is compiled on its own). */
interface BuiltLibs {
  /** `(settings)`; builds before the service left axios took `(http: HttpService, settings)`. */
  UpstreamHttpService: new (...args: object[]) => {
    send(
      request: object,
    ): Promise<{ status: number; text(limit?: number): Promise<string>; body: AsyncIterable<Buffer> }>;
  };
  createAgents: (options: { connectTimeoutMs: number; maxSockets: number }) => object;
  CancelSource: new () => object;
}

function loadLibs(dir: string): BuiltLibs {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const service = require(join(dir, 'providers/src/http/upstream-http.service.js')) as BuiltLibs;
  const agents = require(join(dir, 'providers/src/http/upstream-agents.js')) as BuiltLibs;
  const common = require(join(dir, 'common/src/index.js')) as BuiltLibs;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    UpstreamHttpService: service.UpstreamHttpService,
    createAgents: agents.createAgents,
    CancelSource: common.CancelSource,
  };
}

function gatewayClient(origin: string, libsDir: string): Call {
  const libs = loadLibs(resolve(libsDir));
  const settings = {
    sseMaxEventBytes: 1024 * 1024,
    maxDecompressedBytes: 64 * 1024 * 1024,
    maxAnswerBytes: 16 * 1024 * 1024,
  };
  const service =
    libs.UpstreamHttpService.length === 2
      ? new libs.UpstreamHttpService(new HttpService(), settings)
      : new libs.UpstreamHttpService(settings);
  const agents = libs.createAgents({ connectTimeoutMs: 5_000, maxSockets: 512 });
  const url = `${origin}/v1/chat/completions`;
  return async (mode) => {
    const response = await service.send({
      providerId: 'bench',
      url,
      headers: HEADERS,
      body: BODIES[mode],
      agents,
      context: {
        requestId: 'bench',
        signal: new libs.CancelSource(),
        connectMs: 5_000,
        ttfbMs: 30_000,
        idleMs: 30_000,
      },
    });
    if (response.status !== 200) throw new Error(`gateway client: HTTP ${response.status}`);
    if (mode === 'json') await response.text(16 * 1024 * 1024);
    else for await (const chunk of response.body) void chunk;
  };
}

function undiciClient(origin: string): Call {
  const pool = new Pool(origin, { connections: 512, connectTimeout: 5_000, keepAliveTimeout: 15_000 });
  return async (mode) => {
    const response = await pool.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: HEADERS,
      body: BODIES[mode],
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    if (response.statusCode !== 200) throw new Error(`undici client: HTTP ${response.statusCode}`);
    if (mode === 'json') await response.body.text();
    else for await (const chunk of response.body) void chunk;
  };
}

function httpClient(origin: string): Call {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512, scheduling: 'lifo' });
  const { hostname, port } = new URL(origin);
  return (mode) =>
    new Promise((resolveCall, reject) => {
      const request = http.request(
        { hostname, port, path: '/v1/chat/completions', method: 'POST', headers: HEADERS, agent },
        (response) => {
          if (response.statusCode !== 200) reject(new Error(`http client: HTTP ${response.statusCode}`));
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            if (mode === 'json') Buffer.concat(chunks).toString('utf8');
            resolveCall();
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(BODIES[mode]);
    });
}

/** Runs `requests` calls, `IN_FLIGHT` at a time. */
async function drive(call: Call, mode: Mode, requests: number): Promise<void> {
  let left = requests;
  const lane = async () => {
    while (left > 0) {
      left--;
      await call(mode);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

const traceClock = () => performance.now() - performance.nodeTiming.v8Start;
const scavenge = () => (globalThis as unknown as { gc(options: object): void }).gc({ type: 'minor' });

function runner(): void {
  const origin = process.env.UPSTREAM_BENCH_ORIGIN!;
  const calls: Partial<Record<ClientName, Call>> = {
    gateway: gatewayClient(origin, process.env.UPSTREAM_BENCH_LIBS ?? 'dist/libs'),
    baseline: BASELINE_LIBS ? gatewayClient(origin, BASELINE_LIBS) : undefined,
    undici: undiciClient(origin),
    http: httpClient(origin),
  };
  process.on('message', (command: WindowCommand) => {
    void (async () => {
      const call = calls[command.client]!;
      scavenge(); // the window's allocation starts from an empty young generation…
      const fromMs = traceClock();
      const cpu = process.cpuUsage();
      const started = performance.now();
      await drive(call, command.mode, command.requests);
      const wallMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      scavenge(); // …and ends with a scavenge, whose trace line counts what the last requests allocated
      const reply: WindowReply = { cpuUs: used.user + used.system, wallMs, fromMs, toMs: traceClock() };
      process.send!(reply);
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  process.send!({ ready: true });
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: starts the upstream and the runner, orders the windows, reads the GC trace, prints the table.

interface Measured extends WindowCommand {
  cpuUs: number;
  wallMs: number;
  allocatedBytes: number;
}

async function main(): Promise<void> {
  const outDir = mkdtempSync(join(tmpdir(), 'switchyard-upstream-client-'));
  const traceFile = join(outDir, 'runner-stdout.log');
  const trace = openSync(traceFile, 'w');
  const upstream: BenchProcess = await startPinned(resolve(__dirname, 'fake-upstream.js'), '0-1', {});
  const child = fork(__filename, ['runner'], {
    execArgv: ['--expose-gc', '--trace-gc-nvp'],
    env: { ...process.env, UPSTREAM_BENCH_ORIGIN: `http://127.0.0.1:${upstream.port}` },
    stdio: ['ignore', trace, 'inherit', 'ipc'],
  });
  const replies: Array<(reply: WindowReply) => void> = [];
  child.on('message', (message: WindowReply | { ready: true }) => {
    if (!('ready' in message)) replies.shift()!(message);
  });
  await new Promise<void>((ready, failed) => {
    child.once('message', () => ready());
    child.once('exit', (code) => failed(new Error(`runner exited with ${code}`)));
  });
  const run = (command: WindowCommand) =>
    new Promise<WindowReply>((answer) => {
      replies.push(answer);
      child.send(command);
    });

  const windows: Array<Measured & WindowReply> = [];
  try {
    for (const client of CLIENTS) for (const mode of MODES) await run({ client, mode, requests: 2_000 }); // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      const order = CLIENTS.map((_, i) => CLIENTS[(i + round) % CLIENTS.length]); // A B C, B C A, …
      for (const mode of MODES) {
        for (const client of order) {
          const command = { client, mode, requests: REQUESTS };
          windows.push({ ...command, ...(await run(command)), allocatedBytes: 0 });
          process.stderr.write('.');
        }
      }
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((exited) => child.once('exit', exited));
    closeSync(trace);
    await upstream.stop();
  }
  process.stderr.write('\n');
  const lines = readFileSync(traceFile, 'utf8').split('\n');
  for (const window of windows) window.allocatedBytes = allocatedWithin(lines, window.fromMs, window.toMs);
  report(windows);
}

/** The `allocated=` of every `--trace-gc-nvp` line in [from, to] on the isolate's clock. */
function allocatedWithin(lines: string[], fromMs: number, toMs: number): number {
  let total = 0;
  for (const line of lines) {
    const head = /^\[\d+:0x[0-9a-f]+\]\s+(\d+) ms: pause=/.exec(line);
    if (!head || Number(head[1]) < fromMs || Number(head[1]) > toMs) continue;
    total += Number(/\ballocated=(\d+)/.exec(line)?.[1] ?? 0);
  }
  return total;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function report(windows: Measured[]): void {
  console.log(`${ROUNDS} rounds of ${REQUESTS} calls per client and mode, ${IN_FLIGHT} in flight; median (min–max)\n`);
  console.log('| mode | client | CPU µs per call | KB allocated per call | calls/s |');
  console.log('|---|---|---|---|---|');
  for (const mode of MODES) {
    for (const client of CLIENTS) {
      const mine = windows.filter((w) => w.client === client && w.mode === mode);
      const cpu = mine.map((w) => w.cpuUs / w.requests);
      const kb = mine.map((w) => w.allocatedBytes / w.requests / 1024);
      const rate = mine.map((w) => (w.requests / w.wallMs) * 1000);
      const range = (values: number[], digits: number) =>
        `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
      console.log(`| ${mode} | ${client} | ${range(cpu, 1)} | ${range(kb, 1)} | ${median(rate).toFixed(0)} |`);
    }
  }
}

if (process.argv[2] === 'runner') runner();
else
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
