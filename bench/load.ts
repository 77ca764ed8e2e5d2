import autocannon from 'autocannon';
import { Agent, request } from 'node:http';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

export const CHAT_BODY = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello' }] });
export const STREAM_BODY = JSON.stringify({
  model: 'bench',
  stream: true,
  messages: [{ role: 'user', content: 'Say hello' }],
});
const SLOW_STREAM_BODY = STREAM_BODY.replace('"model":"bench"', '"model":"bench-slow"');

/** Closed-loop maximum throughput (autocannon, 50 connections). Fails loudly on any error or non-2xx. */
export async function maxThroughput(target: Target, seconds: number): Promise<{ rps: number; ok: number }> {
  const result = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: CHAT_BODY,
    connections: 50,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${target.name}: ${result.errors} errors, ${result.non2xx} non-2xx, ${result.timeouts} timeouts`);
  }
  return { rps: result['2xx'] / seconds, ok: result['2xx'] };
}

export interface LatencySample {
  p50: number;
  p90: number;
  p99: number;
}

/**
 * Open-loop latency at a fixed rate: requests start on a schedule whether or not earlier ones finished, so
 * queueing shows up in the tail (a closed loop would hide it). Microsecond timing with hrtime. Requests of
 * the first `leadInSeconds` run at the same rate but are not measured (steady state, not the aftermath of
 * whatever ran before).
 */
export async function fixedRateLatency(
  target: Target,
  ratePerSecond: number,
  seconds: number,
  leadInSeconds = 0,
): Promise<LatencySample> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const unmeasured = Math.round(ratePerSecond * leadInSeconds);
  const total = unmeasured + Math.round(ratePerSecond * seconds);
  const latencies: number[] = [];
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const measured = i >= unmeasured;
    pending.push(
      timedRequest(target, CHAT_BODY, agent).then((timing) => {
        if (measured) latencies.push(timing.totalMs);
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
}

export interface StreamTiming {
  firstChunkMs: number;
  totalMs: number;
  chunks: number;
}

/** One request, timed to its first body byte and to its end; rejects on a non-200 or a stream without [DONE]. */
export function timedRequest(target: Target, body: string, agent: Agent): Promise<StreamTiming> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${target.url}/v1/chat/completions`);
    const started = performance.now();
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...target.headers },
      },
      (res) => {
        let firstChunkMs = 0;
        let chunks = 0;
        let tail = '';
        res.on('data', (data: Buffer) => {
          if (chunks === 0) firstChunkMs = performance.now() - started;
          chunks++;
          tail = (tail + data.toString()).slice(-64);
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${target.name}: HTTP ${res.statusCode}`));
          if (body.includes('"stream":true') && !tail.includes('[DONE]'))
            return reject(new Error(`${target.name}: stream ended without [DONE]`));
          resolve({ firstChunkMs, totalMs: performance.now() - started, chunks });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sequential streams (20 chunks each): time to first chunk and total time, medians. */
export async function streamTimings(
  target: Target,
  count: number,
): Promise<{ firstChunkMs: number; totalMs: number; chunksPerStream: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const timings: StreamTiming[] = [];
  for (let i = 0; i < count; i++) timings.push(await timedRequest(target, STREAM_BODY, agent));
  agent.destroy();
  return {
    firstChunkMs: median(timings.map((t) => t.firstChunkMs)),
    totalMs: median(timings.map((t) => t.totalMs)),
    chunksPerStream: median(timings.map((t) => t.chunks)),
  };
}

/** Opens `count` slow streams at once; resolves when all completed with [DONE]. */
export async function holdStreams(target: Target, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: false, maxSockets: count });
  await Promise.all(Array.from({ length: count }, () => timedRequest(target, SLOW_STREAM_BODY, agent)));
  agent.destroy();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
