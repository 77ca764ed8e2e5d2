import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * Hostile and odd upstream streams through the whole gateway (defects 4 and 5 of issue 13): an endless
 * line, gzip bombs streamed and not, a multi-line `data:` event and a BOM. Each hostile case must end with
 * the client's own error within the caps, hang up on the upstream, keep the event loop responsive and give
 * the memory back. The figures are logged for docs/reliability.md.
 */

// GC on demand without a node flag, so the memory figures are about what is still referenced.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
/** The defaults: UPSTREAM_SSE_MAX_EVENT_BYTES and UPSTREAM_MAX_DECOMPRESSED_BYTES. */
const EVENT_CAP = 8 * MiB;
const DECOMPRESSED_CAP = 64 * MiB;
/**
 * Event-loop delay: the figure is reported against the 50 ms goal; the bound only has to catch stalls like the
 * seconds-long ones of a parser that rescans its buffer, without flaking on the shared 2-core test machine,
 * where CPU starvation alone was seen adding 230 ms to a turn.
 */
const MAX_LOOP_DELAY_MS = 500;
/** What is still referenced after the request (V8 heap and buffers), after GC: the 20 MiB goal. */
const MAX_RETAINED_GROWTH_MIB = 20;
/**
 * RSS also holds what the allocator keeps for reuse after a burst of buffers (the first hostile request of a
 * kind leaves up to ~40 MiB, a repeat reuses it) and whatever else this shared process did meanwhile, so it
 * only gets a generous bound; the figures are reported.
 */
const MAX_RSS_GROWTH_MIB = 80;

interface Memory {
  rss: number;
  retained: number;
}

interface Figures {
  ms: number;
  maxLoopDelayMs: number;
  rssGrowthMiB: number;
  retainedGrowthMiB: number;
}

async function waitFor(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** Memory once garbage is collected and freed: V8 frees buffers' memory on background threads, so wait for it. */
async function settle(): Promise<Memory> {
  let last = Infinity;
  for (let round = 0; round < 20; round++) {
    gc();
    await sleep(100);
    const { rss } = process.memoryUsage();
    if (rss > last - 256 * 1024) break;
    last = rss;
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, retained: usage.heapUsed + usage.external };
}

/** Runs one request, measuring its duration, the worst event-loop delay during it, and memory growth after GC. */
async function measure(name: string, run: () => Promise<void>): Promise<Figures> {
  const before = await settle();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const started = performance.now();
  await run();
  const ms = performance.now() - started;
  delay.disable();
  const after = await settle();
  const figures = {
    ms,
    maxLoopDelayMs: delay.max / 1e6,
    rssGrowthMiB: (after.rss - before.rss) / MiB,
    retainedGrowthMiB: (after.retained - before.retained) / MiB,
  };
  process.stdout.write(
    `[reliability-streams] ${name}: ${figures.ms.toFixed(0)} ms, max event-loop delay ${figures.maxLoopDelayMs.toFixed(1)} ms, ` +
      `after GC: retained ${figures.retainedGrowthMiB.toFixed(1)} MiB, RSS ${figures.rssGrowthMiB.toFixed(1)} MiB\n`,
  );
  return figures;
}

/** Runs the same hostile request twice (checking each), and holds both runs to the bounds. */
async function twiceBounded(name: string, run: () => Promise<void>): Promise<void> {
  for (const figures of [await measure(`${name} (first)`, run), await measure(`${name} (repeat)`, run)]) {
    expect(figures.maxLoopDelayMs).toBeLessThan(MAX_LOOP_DELAY_MS);
    expect(figures.retainedGrowthMiB).toBeLessThan(MAX_RETAINED_GROWTH_MIB);
    expect(figures.rssGrowthMiB).toBeLessThan(MAX_RSS_GROWTH_MIB);
  }
}

const chunk = (content: string, finish: string | null = null) =>
  JSON.stringify({
    id: 'chatcmpl-r',
    object: 'chat.completion.chunk',
    created: 1_767_225_600,
    model: 'gpt-test',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: finish }],
  });

/** Counts what a fake upstream body generator handed to the socket. */
class Sent {
  bytes = 0;
}

/** A first content event, then `data: ` and a line that never ends (up to 64 MiB), 64 KiB per write. */
async function* endlessLine(sent: Sent): AsyncGenerator<Buffer> {
  yield Buffer.from(`data: ${chunk('Hel')}\n\ndata: `);
  const piece = Buffer.alloc(64 * 1024, 'a');
  for (; sent.bytes < 64 * MiB; sent.bytes += piece.length) yield piece;
}

/** Members of a gzip bomb, ~1–3 KiB each on the wire: far more than socket buffers hold. */
const BOMB_MEMBERS = 64 * 1024;
const BOMB_WIRE_BYTES = BOMB_MEMBERS * 900;

/** One gzip member of 1 MiB of `filler`; made before any measurement, as compressing takes the event loop. */
function gzipMember(filler: string): Buffer {
  return gzipSync(filler.repeat(Math.ceil(MiB / filler.length)).slice(0, MiB));
}
const SPACES = gzipMember(' ');
const COMMENTS = gzipMember(`: ${'z'.repeat(1021)}\n`);
const FIRST_EVENT = gzipSync(`data: ${chunk('Hel')}\n\n`);

/**
 * A gzip body of concatenated members (one body to a decoder), each 1 MiB inflated: `first` (if any), then
 * `member` over and over, 64 GiB inflated in all.
 */
async function* gzipBomb(sent: Sent, member: Buffer, first?: Buffer): AsyncGenerator<Buffer> {
  if (first) yield first;
  for (let members = 0; members < BOMB_MEMBERS; members++, sent.bytes += member.length) yield member;
}

/** The data of each event of an SSE body; each event must be exactly one `data:` line. */
function eventData(body: string): string[] {
  return body
    .split('\n\n')
    .filter(Boolean)
    .map((event) => {
      expect(event.startsWith('data: ')).toBe(true);
      expect(event.includes('\n')).toBe(false);
      return event.slice('data: '.length);
    });
}

describe('reliability: hostile upstream streams', () => {
  let fake: FakeOpenAiServer;
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    gateway = await startTestGateway({
      catalog: openAiCatalog(await fake.start(), 'sk-provider', [
        // One upstream call per request: a failure before the first chunk would otherwise be retried.
        { name: 'gpt-test', deployments: [{ provider: 'openai', model: 'gpt-test' }], retry: { max_attempts: 1 } },
      ]),
    });
    key = (await gateway.createKey()).key;
    // Warm up every path once, so the baselines do not count first-use allocations.
    await (await chat({ stream: true })).text();
    await (await chat({ stream: false })).text();
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
  });

  function chat(body: object): Promise<Response> {
    return fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-test', messages: [{ role: 'user', content: 'hello there' }], ...body }),
    });
  }

  it('ends the stream with upstream_invalid_response within the event cap when a line never ends', async () => {
    await twiceBounded('64 MiB line without a newline', async () => {
      const sent = new Sent();
      const aborts = fake.clientAborts.length;
      fake.script({ rawBody: () => endlessLine(sent) });
      const data = eventData(await (await chat({ stream: true })).text());
      expect(JSON.parse(data[0]).choices[0].delta.content).toBe('Hel');
      expect(JSON.parse(data.at(-1)!).error).toMatchObject({ code: 'upstream_invalid_response' });
      expect(data).not.toContain('[DONE]');
      // Hung up at the cap: what the upstream got written is the cap plus what socket buffers took.
      await waitFor(() => fake.clientAborts.length === aborts + 1);
      expect(sent.bytes).toBeLessThan(2 * EVENT_CAP);
    });
  });

  it('ends a gzip-bombed stream with upstream_invalid_response at the decompression cap', async () => {
    await twiceBounded('gzip-bombed stream', async () => {
      const sent = new Sent();
      const aborts = fake.clientAborts.length;
      fake.script({
        headers: { 'content-encoding': 'gzip' },
        // Valid SSE all along (comment lines), so only the decompression cap can stop it.
        rawBody: () => gzipBomb(sent, COMMENTS, FIRST_EVENT),
      });
      const data = eventData(await (await chat({ stream: true })).text());
      expect(JSON.parse(data[0]).choices[0].delta.content).toBe('Hel');
      const error = JSON.parse(data.at(-1)!).error;
      expect(error).toMatchObject({ code: 'upstream_invalid_response' });
      expect(error.message).toContain(`inflates past ${DECOMPRESSED_CAP} bytes`);
      await waitFor(() => fake.clientAborts.length === aborts + 1);
      expect(sent.bytes).toBeLessThan(BOMB_WIRE_BYTES / 4);
    });
  });

  it('answers a gzip-bombed non-stream body with 502 upstream_invalid_response at the decompression cap', async () => {
    await twiceBounded('gzip-bombed non-stream body', async () => {
      const sent = new Sent();
      const aborts = fake.clientAborts.length;
      fake.script({ headers: { 'content-encoding': 'gzip' }, rawBody: () => gzipBomb(sent, SPACES) });
      const response = await chat({ stream: false });
      const body = (await response.json()) as any;
      expect(response.status).toBe(502);
      expect(body.error).toMatchObject({ code: 'upstream_invalid_response' });
      expect(body.error.message).toContain(`inflates past ${DECOMPRESSED_CAP} bytes`);
      await waitFor(() => fake.clientAborts.length === aborts + 1);
      expect(sent.bytes).toBeLessThan(BOMB_WIRE_BYTES / 4);
    });
  });

  it('forwards a multi-line data event as one valid JSON line, and keeps the event behind a BOM', async () => {
    const [id, rest] = chunk('lo').split(',"object"');
    fake.script({
      rawEvents:
        `\uFEFFdata: ${chunk('Hel')}\n\n` +
        `data: ${id},\ndata: "object"${rest}\n\n` +
        `data: ${chunk('', 'stop')}\r\n\r\n` +
        'data: [DONE]\n\n',
    });
    const data = eventData(await (await chat({ stream: true })).text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((text) => JSON.parse(text));
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe('Hello');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });
});
