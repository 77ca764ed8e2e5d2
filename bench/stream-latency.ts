import { BenchProcess } from './processes';
import {
  CHAT_BODY,
  CHAT_STREAM,
  MESSAGES_STREAM,
  RESPONSES_STREAM,
  StreamApi,
  streamTimings,
  StreamTimings,
  Target,
  timedRequest,
} from './load';
import { Agent } from 'node:http';

/** The kinds of stream measured; `role-first` only with `--streams` (the upstream of the bench before). */
export type StreamKind = 'chat' | 'messages' | 'responses' | 'chat paced' | 'chat new connection' | 'chat role-first';

export interface StreamRow {
  target: string;
  kind: StreamKind;
  timings: StreamTimings;
}

/**
 * Sequential streams, each target in turn (all on the same fake upstream, whose first chunk carries content):
 * - `chat`: Chat Completions, the upstream's chunks back to back, on one keep-alive connection;
 * - `messages`, `responses`: the same upstream stream through the gateway's translators (only the gateway
 *   speaks them; compare with the direct `chat` row);
 * - `chat paced`: chunks `PACED_CHUNK_DELAY_MS` (5 ms) apart, as a model streams tokens: anything that held the
 *   first content until the next chunk arrived would show here as that delay;
 * - `chat new connection`: a new TCP connection for every stream (clients that do not keep connections alive);
 * - `chat role-first` (optional): OpenAI's role-only first chunk before the content, back to back.
 */
export async function streamLatency(
  targets: readonly Target[],
  gateway: Target,
  counts: { streams: number; paced: number; roleFirst?: number },
): Promise<StreamRow[]> {
  const rows: StreamRow[] = [];
  const measure = async (target: Target, kind: StreamKind, count: number, api: StreamApi, model = 'bench') =>
    rows.push({
      target: target.name,
      kind,
      timings: await streamTimings(target, count, api, model, kind === 'chat new connection'),
    });
  for (const target of targets) await measure(target, 'chat', counts.streams, CHAT_STREAM);
  await measure(gateway, 'messages', counts.streams, MESSAGES_STREAM);
  await measure(gateway, 'responses', counts.streams, RESPONSES_STREAM);
  for (const target of targets) await measure(target, 'chat paced', counts.paced, CHAT_STREAM, 'bench-paced');
  for (const target of targets) await measure(target, 'chat new connection', counts.paced, CHAT_STREAM);
  if (counts.roleFirst) {
    for (const target of targets)
      await measure(target, 'chat role-first', counts.roleFirst, CHAT_STREAM, 'bench-role-first');
  }
  return rows;
}

export function streamRow(rows: readonly StreamRow[], target: string, kind: StreamKind): StreamTimings | undefined {
  return rows.find((row) => row.target === target && row.kind === kind)?.timings;
}

/**
 * The gateway's CPU per streamed chunk: its process CPU over `count` streams of `chunks` content chunks, less its
 * CPU over as many non-stream requests (auth, limits, budgets, evidence: the same per-request work), divided by
 * the chunks. Each phase runs 8 at a time, so that it is short and the gateway's own timers (load sampler, log
 * and evidence flushes) weigh little; what they cost while idle is measured first and taken off both phases.
 * /proc counts in 10 ms ticks: `count` should make each phase cost a second of CPU or more.
 */
export async function streamCpuPerChunk(
  gateway: Target,
  process: BenchProcess,
  count: number,
  chunks: number,
): Promise<{ perChunkUs: number; perStreamUs: number; perRequestUs: number }> {
  const idleStart = performance.now();
  const before = process.cpuMs();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const idleMsPerMs = (process.cpuMs() - before) / (performance.now() - idleStart);
  const phase = async (body: string, api?: StreamApi) => {
    const agent = new Agent({ keepAlive: true, maxSockets: CPU_CONCURRENCY });
    const [started, cpuBefore] = [performance.now(), process.cpuMs()];
    let next = 0;
    const worker = async () => {
      while (next++ < count) await timedRequest(gateway, body, agent, api);
    };
    await Promise.all(Array.from({ length: CPU_CONCURRENCY }, worker));
    agent.destroy();
    const busyMs = process.cpuMs() - cpuBefore - idleMsPerMs * (performance.now() - started);
    return (busyMs * 1000) / count;
  };
  const perRequestUs = await phase(CHAT_BODY);
  const perStreamUs = await phase(CHAT_STREAM.body('bench'), CHAT_STREAM);
  return { perChunkUs: (perStreamUs - perRequestUs) / chunks, perStreamUs, perRequestUs };
}

const CPU_CONCURRENCY = 8;

/** The rows as a table: per stream kind, each target's first byte / first content token / end, in ms. */
export function streamTable(rows: readonly StreamRow[], targetNames: readonly string[]): string {
  const kinds = [...new Set(rows.map((row) => row.kind))];
  const cell = (kind: StreamKind, target: string) => {
    const t = streamRow(rows, target, kind);
    if (!t) return '';
    return `${t.firstByteMs.toFixed(2)} / ${t.firstContentMs.toFixed(2)} / ${t.totalMs.toFixed(2)} (${t.readsPerStream} reads)`;
  };
  const lines = [
    `| stream | ${targetNames.join(' | ')} |`,
    `|---|${targetNames.map(() => '---').join('|')}|`,
    ...kinds.map((kind) => `| ${kind} | ${targetNames.map((name) => cell(kind, name)).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n(each cell: first byte / first content token / end of stream, ms, medians)`;
}
