import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatCompletionChunk, GatewayError } from '@app/common';
import { SseParser } from '../sse/sse-parser';
import { toChatCompletion } from './anthropic-response.mapper';
import { AnthropicStreamTransformer } from './anthropic-stream.transformer';

const CREATED = 1_767_225_600;
const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name));

/** Feeds the bytes to parser and transformer in the pieces `cuts` marks; returns the chunks, or the error. */
function translate(bytes: Buffer, cuts: number[] = []): { chunks: ChatCompletionChunk[]; error?: GatewayError } {
  const parser = new SseParser();
  const transformer = new AnthropicStreamTransformer('claude', CREATED);
  const chunks: ChatCompletionChunk[] = [];
  try {
    let start = 0;
    for (const cut of [...cuts, bytes.length]) {
      for (const event of parser.push(bytes.subarray(start, cut))) chunks.push(...transformer.push(event));
      start = cut;
    }
    transformer.end();
    return { chunks };
  } catch (error) {
    return { chunks, error: error as GatewayError };
  }
}

function seededRandom(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const deltas = (chunks: ChatCompletionChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta);

describe('AnthropicStreamTransformer', () => {
  it('translates text followed by two parallel tool calls, counting tool-call indices from 0', () => {
    const { chunks, error } = translate(fixture('text-and-parallel-tools.sse'));
    expect(error).toBeUndefined();
    expect(deltas(chunks)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Let me check ' },
      { content: 'both cities.' },
      {
        tool_calls: [
          { index: 0, id: 'toolu_01Oslo', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city": "Os' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'lo"}' } }] },
      {
        tool_calls: [
          { index: 1, id: 'toolu_02Bergen', type: 'function', function: { name: 'get_weather', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 1, function: { arguments: '{"city": "Bergen"}' } }] },
      {},
      undefined, // the usage chunk has no choices
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual([
      ...Array(8).fill(null),
      'tool_calls',
      null,
    ]);
  });

  it('names every chunk with the upstream message id and model, and ends with a usage-only chunk', () => {
    const { chunks } = translate(fixture('text-and-parallel-tools.sse'));
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id: 'msg_01TextTools',
        object: 'chat.completion.chunk',
        created: CREATED,
        model: 'claude-sonnet-4-5-20250929',
      });
    }
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 412 + 2048 + 100,
        completion_tokens: 71,
        total_tokens: 412 + 2048 + 100 + 71,
        prompt_tokens_details: { cached_tokens: 2048 },
      },
    });
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === undefined)).toBe(true);
  });

  it('reports the same usage as the non-stream answer to the same turn', () => {
    const { chunks } = translate(fixture('text-and-parallel-tools.sse'));
    const completion = toChatCompletion(JSON.parse(fixture('text-and-parallel-tools.json').toString()), CREATED);
    expect(chunks.at(-1)!.usage).toEqual(completion.usage);
  });

  it('streams thinking as reasoning_content, drops the signature, and keeps multi-byte text intact', () => {
    const { chunks, error } = translate(fixture('thinking-then-text.sse'));
    expect(error).toBeUndefined();
    expect(deltas(chunks).slice(1, -2)).toEqual([
      { reasoning_content: 'Tromsø is far north; ' },
      { reasoning_content: 'expect cold rain.' },
      { content: 'Über 4 °C — ☔ ' },
      { content: 'in Tromsø 🌧️.' },
    ]);
    expect(chunks.at(-2)!.choices[0].finish_reason).toBe('stop');
    // message_delta repeats the cumulative input counters: they overwrite, never add.
    expect(chunks.at(-1)!.usage).toEqual({
      prompt_tokens: 25,
      completion_tokens: 48,
      total_tokens: 73,
      prompt_tokens_details: { cached_tokens: 0 },
    });
  });

  it.each([
    'text-and-parallel-tools.sse',
    'thinking-then-text.sse',
    'overloaded-mid-stream.sse',
    'cut-before-message-stop.sse',
  ])('gives identical output for %s however its bytes are split (seeded)', (name) => {
    const bytes = fixture(name);
    const whole = translate(bytes);
    for (let cut = 1; cut < bytes.length; cut++) expect(translate(bytes, [cut])).toEqual(whole);
    const random = seededRandom(7);
    for (let round = 0; round < 300; round++) {
      const cuts = Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => 1 + Math.floor(random() * (bytes.length - 1)),
      );
      expect(
        translate(
          bytes,
          [...new Set(cuts)].sort((a, b) => a - b),
        ),
      ).toEqual(whole);
    }
  });

  it('fails on an in-stream error event, after passing on what came before it', () => {
    const { chunks, error } = translate(fixture('overloaded-mid-stream.sse'));
    expect(deltas(chunks)).toEqual([{ role: 'assistant', content: '' }, { content: 'Hello' }]);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ code: 'upstream_unavailable', status: 503 });
    expect(error!.message).toBe('Upstream "claude" failed mid-stream: overloaded_error: Overloaded');
  });

  it('fails when the stream ends without message_stop, and sends no finish or usage chunk', () => {
    const { chunks, error } = translate(fixture('cut-before-message-stop.sse'));
    expect(error).toMatchObject({ code: 'upstream_error' });
    expect(error!.message).toContain('before "message_stop"');
    expect(chunks.some((chunk) => chunk.choices.length === 0 || chunk.choices[0].finish_reason)).toBe(false);
  });

  it('rejects events before message_start, a second message_start, and data that is not JSON', () => {
    const start =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","content":[],"usage":{}}}\n\n';
    const cases = [
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
      start + start,
      start +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"\n\n',
      start +
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":3,"delta":{"type":"input_json_delta","partial_json":"{}"}}\n\n',
    ];
    for (const stream of cases)
      expect(translate(Buffer.from(stream)).error).toMatchObject({ code: 'upstream_invalid_response' });
  });

  it('ignores pings before message_start and event types it does not know', () => {
    const stream =
      'event: ping\ndata: {"type":"ping"}\n\n' +
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","model":"c","content":[],"usage":{"input_tokens":1,"output_tokens":1}}}\n\n' +
      'event: brand_new_event\ndata: {"type":"brand_new_event","index":0}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"max_tokens","stop_sequence":null},"usage":{"output_tokens":5}}\n\n' +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    const { chunks, error } = translate(Buffer.from(stream));
    expect(error).toBeUndefined();
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason ?? null)).toEqual([null, 'length', null]);
  });
});
