import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import {
  BOMB_MEMBERS,
  chunkJson,
  HostileStats,
  HostileUpstream,
  startHostileUpstream,
} from '../fakes/hostile-upstream';
import { wireCheck } from '../utils/openai-wire';
import { openAiCatalog, startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * Hostile and odd upstream streams through the whole gateway (defects 4 and 5 of issue 13): an endless
 * line, gzip bombs streamed and not, a multi-line `data:` event and a BOM. Each hostile case must end with
 * the client's own error within the caps, hang up on the upstream, keep the event loop responsive and give
 * the memory back. The hostile upstreams run in a process of their own, so the loop measured here is the
 * gateway's (and this client's), not theirs. The figures are logged; the < 50 ms figures of
 * docs/reliability.md come from `npm run bench` (bench/reliability-streams.ts), the gateway alone.
 */

// GC on demand without a node flag, so the memory figures are about what is still referenced.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MiB = 1024 * 1024;
/** The defaults: UPSTREAM_SSE_MAX_EVENT_BYTES, UPSTREAM_MAX_DECOMPRESSED_BYTES and UPSTREAM_MAX_ANSWER_BYTES. */
const EVENT_CAP = 8 * MiB;
const DECOMPRESSED_CAP = 64 * MiB;
const ANSWER_CAP = 16 * MiB;
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

/** Members of a gzip bomb, ~1–3 KiB each on the wire: far more than socket buffers hold. */
const BOMB_WIRE_BYTES = BOMB_MEMBERS * 900;

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
  // Every body and stream event received is checked against OpenAI's published OpenAPI document.
  const wire = wireCheck();
  let fake: FakeOpenAiServer;
  let hostile: HostileUpstream;
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    fake = new FakeOpenAiServer('sk-provider');
    hostile = await startHostileUpstream();
    const catalog = openAiCatalog(await fake.start(), 'sk-provider', [
      { name: 'gpt-test', deployments: [{ provider: 'openai', model: 'gpt-test' }] },
    ]);
    for (const behaviour of ['endless-line', 'gzip-stream', 'gzip-answer']) {
      catalog.providers.push({
        id: behaviour,
        type: 'openai',
        base_url: `${hostile.url}/${behaviour}/v1`,
        api_key: 'x',
      });
      // One upstream call per request: a failure before the first chunk would otherwise be retried.
      catalog.models.push({
        name: behaviour,
        deployments: [{ provider: behaviour, model: 'gpt-test' }],
        retry: { max_attempts: 1 },
      });
    }
    gateway = await startTestGateway({ catalog });
    key = (await gateway.createKey()).key;
    // Warm up every path once, so the baselines do not count first-use allocations.
    await (await chat('gpt-test', true)).text();
    await (await chat('gpt-test', false)).text();
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.stop();
    await hostile?.stop();
  });

  function chat(model: string, stream: boolean): Promise<Response> {
    return wire.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'hello there' }] }),
    });
  }

  /** The last hostile body's figures, once the gateway has hung up on it. */
  async function hungUp(): Promise<HostileStats> {
    const deadline = Date.now() + 2_000;
    for (;;) {
      const stats = await hostile.stats();
      if (stats.aborted) return stats;
      if (Date.now() > deadline) throw new Error(`the gateway did not hang up (${JSON.stringify(stats)})`);
      await sleep(10);
    }
  }

  it('ends the stream with upstream_invalid_response within the event cap when a line never ends', async () => {
    await twiceBounded('64 MiB line without a newline', async () => {
      const data = eventData(await (await chat('endless-line', true)).text());
      expect(JSON.parse(data[0]).choices[0].delta.content).toBe('Hel');
      expect(JSON.parse(data.at(-1)!).error).toMatchObject({ code: 'upstream_invalid_response' });
      expect(data).not.toContain('[DONE]');
      // Hung up at the cap: what the upstream got written is the cap plus what socket buffers took.
      expect((await hungUp()).sent).toBeLessThan(2 * EVENT_CAP);
    });
  });

  it('ends a gzip-bombed stream with upstream_invalid_response at the decompression cap', async () => {
    await twiceBounded('gzip-bombed stream', async () => {
      // Valid SSE all along (comment lines), so only the decompression cap can stop it.
      const data = eventData(await (await chat('gzip-stream', true)).text());
      expect(JSON.parse(data[0]).choices[0].delta.content).toBe('Hel');
      const error = JSON.parse(data.at(-1)!).error;
      expect(error).toMatchObject({ code: 'upstream_invalid_response' });
      expect(error.message).toContain(`inflates past ${DECOMPRESSED_CAP} bytes`);
      expect((await hungUp()).sent).toBeLessThan(BOMB_WIRE_BYTES / 4);
    });
  });

  it('answers a gzip-bombed non-stream body with 502 upstream_invalid_response at the answer cap', async () => {
    await twiceBounded('gzip-bombed non-stream body', async () => {
      const response = await chat('gzip-answer', false);
      const body = (await response.json()) as any;
      expect(response.status).toBe(502);
      expect(body.error).toMatchObject({ code: 'upstream_invalid_response' });
      expect(body.error.message).toContain(`exceeded ${ANSWER_CAP} bytes`);
      expect((await hungUp()).sent).toBeLessThan(BOMB_WIRE_BYTES / 4);
    });
  });

  it('forwards a multi-line data event as one valid JSON line, and keeps the event behind a BOM', async () => {
    const [id, rest] = chunkJson('lo').split(',"object"');
    fake.script({
      rawEvents:
        `\uFEFFdata: ${chunkJson('Hel')}\n\n` +
        `data: ${id},\ndata: "object"${rest}\n\n` +
        `data: ${chunkJson('', 'stop')}\r\n\r\n` +
        'data: [DONE]\n\n',
    });
    const data = eventData(await (await chat('gpt-test', true)).text());
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((text) => JSON.parse(text));
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe('Hello');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });
});
