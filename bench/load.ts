import autocannon from 'autocannon';
import { Agent, request } from 'node:http';

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

export const CHAT_BODY = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'Say hello' }] });

/** A server-sent event as the client reads it: its `event:` name (if any) and its `data:` text. */
interface ClientEvent {
  event: string | undefined;
  data: string;
}

/**
 * An inbound API a stream is asked for through: its body, which of its events carries the first content token
 * (the first text a user would see: a delta with non-empty text), and which one ends a complete stream.
 */
export interface StreamApi {
  name: 'chat' | 'messages' | 'responses';
  path: string;
  body(model: string): string;
  carriesContent(event: ClientEvent): boolean;
  ends(event: ClientEvent): boolean;
}

const PROMPT = [{ role: 'user', content: 'Say hello' }];
const nonEmpty = (value: unknown) => typeof value === 'string' && value.length > 0;

export const CHAT_STREAM: StreamApi = {
  name: 'chat',
  path: '/v1/chat/completions',
  body: (model) => JSON.stringify({ model, stream: true, messages: PROMPT }),
  carriesContent: ({ data }) =>
    data !== '[DONE]' &&
    ((JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown } }> }).choices ?? []).some((choice) =>
      nonEmpty(choice.delta?.content),
    ),
  ends: ({ data }) => data === '[DONE]',
};

export const MESSAGES_STREAM: StreamApi = {
  name: 'messages',
  path: '/v1/messages',
  body: (model) => JSON.stringify({ model, max_tokens: 256, stream: true, messages: PROMPT }),
  carriesContent: ({ event, data }) =>
    event === 'content_block_delta' && nonEmpty((JSON.parse(data) as { delta?: { text?: unknown } }).delta?.text),
  ends: ({ event }) => event === 'message_stop',
};

export const RESPONSES_STREAM: StreamApi = {
  name: 'responses',
  path: '/v1/responses',
  body: (model) => JSON.stringify({ model, stream: true, input: 'Say hello' }),
  carriesContent: ({ event, data }) =>
    event === 'response.output_text.delta' && nonEmpty((JSON.parse(data) as { delta?: unknown }).delta),
  ends: ({ event }) => event === 'response.completed',
};

/** Closed-loop maximum throughput (autocannon, 50 connections unless told). Fails loudly on any error or non-2xx. */
export async function maxThroughput(
  target: Target,
  seconds: number,
  connections = 50,
): Promise<{ rps: number; ok: number }> {
  const result = await autocannon({
    url: `${target.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: CHAT_BODY,
    connections,
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

export interface RequestTiming {
  /** The first bytes of the response body: for a stream, whatever event the server wrote first. */
  firstByteMs: number;
  /** The first event carrying content text (streams only; 0 for a non-stream request). */
  firstContentMs: number;
  totalMs: number;
  /** `data` events read from the socket. */
  reads: number;
}

/**
 * One request, timed with `performance.now()` from before it is sent to its first body byte, its first content
 * event (a stream's) and its end. Rejects on a non-200, and on a stream that ends without its API's last event
 * or without any content.
 */
export function timedRequest(target: Target, body: string, agent: Agent, api?: StreamApi): Promise<RequestTiming> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${target.url}${api?.path ?? '/v1/chat/completions'}`);
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
        const timing: RequestTiming = { firstByteMs: 0, firstContentMs: 0, totalMs: 0, reads: 0 };
        const events = api && new EventScanner();
        let ended = false;
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          const now = performance.now() - started;
          if (timing.reads++ === 0) timing.firstByteMs = now;
          if (!events) return;
          for (const event of events.push(text)) {
            // The first content is looked for by parsing; after it, only the end (a cheap comparison).
            if (timing.firstContentMs === 0 && api.carriesContent(event)) timing.firstContentMs = now;
            ended ||= api.ends(event);
          }
        });
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`${target.name}: HTTP ${res.statusCode}`));
          if (api && !ended) return reject(new Error(`${target.name} (${api.name}): stream ended incomplete`));
          if (api && timing.firstContentMs === 0)
            return reject(new Error(`${target.name} (${api.name}): stream without content`));
          timing.totalMs = performance.now() - started;
          resolve(timing);
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Splits a text/event-stream into events as they complete (the servers measured end events with `\n\n`). */
class EventScanner {
  private pending = '';

  push(text: string): ClientEvent[] {
    this.pending += text;
    const events: ClientEvent[] = [];
    let end: number;
    while ((end = this.pending.indexOf('\n\n')) !== -1) {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of this.pending.slice(0, end).split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      this.pending = this.pending.slice(end + 2);
      if (data.length > 0) events.push({ event, data: data.join('\n') });
    }
    return events;
  }
}

export interface StreamTimings {
  firstByteMs: number;
  firstContentMs: number;
  totalMs: number;
  readsPerStream: number;
}

/** `count` sequential streams, on one keep-alive connection or each on a new one: medians of each timing. */
export async function streamTimings(
  target: Target,
  count: number,
  api: StreamApi = CHAT_STREAM,
  model = 'bench',
  newConnections = false,
): Promise<StreamTimings> {
  const agent = new Agent({ keepAlive: !newConnections, maxSockets: 1 });
  const timings: RequestTiming[] = [];
  for (let i = 0; i < count; i++) timings.push(await timedRequest(target, api.body(model), agent, api));
  agent.destroy();
  return {
    firstByteMs: median(timings.map((t) => t.firstByteMs)),
    firstContentMs: median(timings.map((t) => t.firstContentMs)),
    totalMs: median(timings.map((t) => t.totalMs)),
    readsPerStream: median(timings.map((t) => t.reads)),
  };
}

/** Opens `count` slow streams at once; resolves when all completed with [DONE]. */
export async function holdStreams(target: Target, count: number): Promise<void> {
  const agent = new Agent({ keepAlive: false, maxSockets: count });
  const body = CHAT_STREAM.body('bench-slow');
  await Promise.all(Array.from({ length: count }, () => timedRequest(target, body, agent, CHAT_STREAM)));
  agent.destroy();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
