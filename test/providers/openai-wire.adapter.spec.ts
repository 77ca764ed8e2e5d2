import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletionChunk } from '@app/common';
import { ProviderAdapter, providerConfigSchema, UpstreamCallContext } from '@app/providers';
import { providerFactory } from '@app/providers/testing';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';

const KEY = 'sk-openai-wire-fixture-key';
const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'openai', name), 'utf8');
const context = (): UpstreamCallContext => ({
  requestId: 'req_fixture',
  signal: new AbortController().signal,
  connectMs: 2_000,
  ttfbMs: 2_000,
  idleMs: 2_000,
});

/** A seeded generator, so a failing split pattern can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

describe.each([
  ['openai', 'openai', 'tool-calls.sse', {}],
  ['azure-openai', 'azure', 'azure-tool-calls.sse', { api_version: '2024-10-21' }],
  ['deepseek', 'deepseek', 'deepseek-tool-calls.sse', {}],
] as const)('%s adapter replaying a recorded stream', (type, dialect, file, extra) => {
  const fake = new FakeOpenAiServer(KEY, dialect);
  const bytes = Buffer.byteLength(fixture(file));
  let adapter: ProviderAdapter;

  beforeAll(async () => {
    const baseUrl = await fake.start();
    const config = providerConfigSchema.parse({
      id: 'up',
      type,
      base_url: type === 'openai' ? `${baseUrl}/v1` : baseUrl,
      api_key: KEY,
      ...extra,
    });
    adapter = providerFactory().create(config);
  });

  afterAll(async () => {
    adapter.close();
    await fake.stop();
  });

  async function translate(splitAt: number[]): Promise<ChatCompletionChunk[]> {
    fake.script({ rawEvents: fixture(file), splitAt });
    const chunks: ChatCompletionChunk[] = [];
    for await (const event of await adapter.chatStream(
      { model: 'm', messages: [{ role: 'user', content: 'weather?' }] },
      { upstreamModel: 'm' },
      context(),
    )) {
      chunks.push(event.chunk);
    }
    return chunks;
  }

  it('gives the same chunks however the bytes are split', async () => {
    const whole = await translate([]);
    const next = random(7);
    for (let round = 0; round < 25; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(next() * 12) }, () => 1 + Math.floor(next() * (bytes - 1)));
      expect(await translate(cuts)).toEqual(whole);
    }
  });

  it('reassembles text, two tool calls and usage as sent', async () => {
    const chunks = await translate([]);
    const deltas = chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));
    expect(deltas.map((delta) => delta.content ?? '').join('')).toBe('Checking Oslo – ☂');
    const args: Record<number, string> = {};
    for (const call of deltas.flatMap((delta) => delta.tool_calls ?? []))
      args[call.index] = (args[call.index] ?? '') + (call.function?.arguments ?? '');
    expect(Object.values(args).map((a) => JSON.parse(a))).toEqual([{ city: 'Oslo' }, { tz: 'CET' }]);
    expect(chunks.every((chunk) => chunk.choices.length > 0 || chunk.usage)).toBe(true);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 82, completion_tokens: 17, total_tokens: 99 });
    expect(chunks.at(-1)!.usage!.prompt_tokens_details?.cached_tokens).toBe(dialect === 'deepseek' ? 64 : 0);
  });
});
