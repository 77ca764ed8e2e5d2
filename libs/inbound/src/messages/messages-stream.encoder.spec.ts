import Anthropic from '@anthropic-ai/sdk';
import { ChatCompletion, ChatCompletionChunk, GatewayError, ToolCallDelta, Usage } from '@app/common';
import type { SseFrame } from '../sse-frame';
import { chatToMessage } from './chat-to-message';
import { MessagesStreamEncoder } from './messages-stream.encoder';

const MODEL = 'claude-opus-4-8';

/** Deterministic ids: each encoder or translation numbers its own from 1. */
const ids = () => {
  let n = 0;
  return { newId: (prefix: string) => `${prefix}${++n}` };
};

/** What an upstream answers, in the order it streams it; a tool call's arguments may be sent in pieces. */
type Piece = { reasoning: string } | { text: string } | { tool: number; id: string; name: string; args: string };

interface Answer {
  pieces: Piece[];
  finish: ChatCompletion['choices'][0]['finish_reason'];
  usage?: Usage;
}

const USAGE: Usage = {
  prompt_tokens: 2_100,
  completion_tokens: 87,
  total_tokens: 2_187,
  prompt_tokens_details: { cached_tokens: 2_048 },
};

function chunk(
  delta: ChatCompletionChunk['choices'][0]['delta'],
  finish: ChatCompletion['choices'][0]['finish_reason'] = null,
): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'up',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

/**
 * The answer as chat chunks: a role chunk, each piece split into fragments of the sizes `split` picks (the
 * first fragment of a tool call carries its id and name), the finish chunk, then the usage chunk.
 */
function chunksOf(answer: Answer, split: (text: string) => string[]): ChatCompletionChunk[] {
  const chunks = [chunk({ role: 'assistant', content: '' })];
  for (const piece of answer.pieces) {
    if ('reasoning' in piece)
      for (const part of split(piece.reasoning)) chunks.push(chunk({ reasoning_content: part }));
    else if ('text' in piece) for (const part of split(piece.text)) chunks.push(chunk({ content: part }));
    else {
      split(piece.args).forEach((part, i) => {
        const call: ToolCallDelta =
          i === 0
            ? { index: piece.tool, id: piece.id, type: 'function', function: { name: piece.name, arguments: part } }
            : { index: piece.tool, function: { arguments: part } };
        chunks.push(chunk({ tool_calls: [call] }));
      });
    }
  }
  chunks.push(chunk({}, answer.finish));
  if (answer.usage) chunks.push({ ...chunk({}), choices: [], usage: answer.usage });
  return chunks;
}

/** The same answer as one non-stream completion. */
function completionOf(answer: Answer): ChatCompletion {
  const text = answer.pieces.flatMap((p) => ('text' in p ? [p.text] : [])).join('');
  const reasoning = answer.pieces.flatMap((p) => ('reasoning' in p ? [p.reasoning] : [])).join('');
  const calls = new Map<number, { id: string; name: string; args: string }>();
  for (const p of answer.pieces) {
    if (!('tool' in p)) continue;
    const call = calls.get(p.tool) ?? { id: p.id, name: p.name, args: '' };
    call.args += p.args;
    calls.set(p.tool, call);
  }
  const toolCalls = [...calls.values()].map((c) => ({
    id: c.id,
    type: 'function' as const,
    function: { name: c.name, arguments: c.args },
  }));
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'up',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text || null,
          refusal: null,
          ...(reasoning ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: answer.finish,
      },
    ],
    ...(answer.usage ? { usage: answer.usage } : {}),
  };
}

function encode(chunks: ChatCompletionChunk[]): SseFrame[] {
  const encoder = new MessagesStreamEncoder(MODEL, ids());
  return [...chunks.flatMap((c) => encoder.push(c)), ...encoder.finish()];
}

const wire = (frames: SseFrame[]) =>
  frames.map((f) => `${f.event ? `event: ${f.event}\n` : ''}data: ${f.data}\n\n`).join('');
const events = (frames: SseFrame[]) =>
  frames.map((f) => JSON.parse(f.data) as { type: string; index?: number; [k: string]: unknown });

/** Feeds the SSE text to the real SDK (`messages.stream(...).finalMessage()`), delivered in pieces of `readSize` bytes. */
async function sdkFinalMessage(frames: SseFrame[], readSize = 7): Promise<Anthropic.Message> {
  const bytes = new TextEncoder().encode(wire(frames));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += readSize) controller.enqueue(bytes.slice(i, i + readSize));
      controller.close();
    },
  });
  const client = new Anthropic({
    apiKey: 'sk-ant-test',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  const message = await client.messages
    .stream({ model: MODEL, max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] })
    .finalMessage();
  // The SDK's structured-output helper adds `parsed_output`; it is not on the wire.
  const { parsed_output: _parsed, ...wireMessage } = message as Anthropic.Message & { parsed_output?: unknown };
  return wireMessage;
}

/** Anthropic's grammar: message_start, then blocks opened one at a time with consecutive indices, then message_delta, message_stop. */
function expectWellFormed(frames: SseFrame[]): void {
  for (const frame of frames) expect(JSON.parse(frame.data).type).toBe(frame.event);
  const list = events(frames).filter((e) => e.type !== 'ping');
  expect(list[0].type).toBe('message_start');
  expect(list.at(-2)?.type).toBe('message_delta');
  expect(list.at(-1)?.type).toBe('message_stop');
  let open: number | null = null;
  let next = 0;
  for (const event of list.slice(1, -2)) {
    if (event.type === 'content_block_start') {
      expect(open).toBeNull();
      expect(event.index).toBe(next);
      open = next++;
    } else if (event.type === 'content_block_delta') {
      expect(event.index).toBe(open);
    } else {
      expect(event).toEqual({ type: 'content_block_stop', index: open });
      open = null;
    }
  }
  expect(open).toBeNull();
}

function seededRandom(seed: number): () => number {
  return () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const whole = (text: string) => [text];
const byCharacter = (text: string) => (text === '' ? [''] : [...text]);
function randomly(seed: number): (text: string) => string[] {
  const random = seededRandom(seed);
  return (text) => {
    const parts: string[] = [];
    let start = 0;
    while (start < text.length) {
      const size = 1 + Math.floor(random() * 6);
      parts.push(text.slice(start, start + size));
      start += size;
    }
    return parts.length ? parts : [''];
  };
}

const THINKING_TEXT_AND_TOOLS: Answer = {
  pieces: [
    { reasoning: 'The user wants weather for two cities; call the tool twice.' },
    { text: 'Let me check both cities — Oslo and Bergen. ' },
    { tool: 0, id: 'call_oslo', name: 'get_weather', args: '{"city": "Oslo", "units": "metric"}' },
    { tool: 1, id: 'call_bergen', name: 'get_weather', args: '{"city": "Bergen", "note": "quote \\" and unicode ✓"}' },
  ],
  finish: 'tool_calls',
  usage: USAGE,
};

describe('MessagesStreamEncoder', () => {
  it('writes Anthropic’s event sequence for thinking, text and two parallel tool calls', () => {
    const frames = encode(chunksOf(THINKING_TEXT_AND_TOOLS, whole));
    expectWellFormed(frames);
    expect(events(frames)).toEqual([
      {
        type: 'message_start',
        message: {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: MODEL,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
        },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'thinking_delta', thinking: 'The user wants weather for two cities; call the tool twice.' },
      },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
      {
        type: 'content_block_delta',
        index: 1,
        delta: { type: 'text_delta', text: 'Let me check both cities — Oslo and Bergen. ' },
      },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'call_oslo', name: 'get_weather', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{"city": "Oslo", "units": "metric"}' },
      },
      { type: 'content_block_stop', index: 2 },
      {
        type: 'content_block_start',
        index: 3,
        content_block: { type: 'tool_use', id: 'call_bergen', name: 'get_weather', input: {} },
      },
      {
        type: 'content_block_delta',
        index: 3,
        delta: { type: 'input_json_delta', partial_json: '{"city": "Bergen", "note": "quote \\" and unicode ✓"}' },
      },
      { type: 'content_block_stop', index: 3 },
      {
        type: 'message_delta',
        delta: { stop_reason: 'tool_use', stop_sequence: null },
        usage: { input_tokens: 52, output_tokens: 87, cache_creation_input_tokens: 0, cache_read_input_tokens: 2_048 },
      },
      { type: 'message_stop' },
    ]);
  });

  it.each([
    ['whole pieces', whole],
    ['one character per chunk', byCharacter],
    ['random pieces (seed 1)', randomly(1)],
    ['random pieces (seed 2)', randomly(2)],
    ['random pieces (seed 3)', randomly(3)],
  ])('gives the SDK the same final message as the non-stream answer, split into %s', async (_case, split) => {
    const frames = encode(chunksOf(THINKING_TEXT_AND_TOOLS, split));
    expectWellFormed(frames);
    const streamed = await sdkFinalMessage(frames);
    expect(JSON.parse(JSON.stringify(streamed))).toEqual(
      chatToMessage(completionOf(THINKING_TEXT_AND_TOOLS), MODEL, ids()),
    );
  });

  it.each<[string, Answer]>([
    ['text only', { pieces: [{ text: 'Hello there.' }], finish: 'stop', usage: USAGE }],
    ['tools only', { pieces: [{ tool: 0, id: 'call_a', name: 'ls', args: '{}' }], finish: 'tool_calls', usage: USAGE }],
    ['an empty answer', { pieces: [], finish: 'stop', usage: USAGE }],
    ['no usage chunk', { pieces: [{ text: 'Cut short?' }], finish: 'stop' }],
    ['a cut-off answer', { pieces: [{ text: 'The list: 1, 2,' }], finish: 'length', usage: USAGE }],
    ['a filtered answer', { pieces: [], finish: 'content_filter', usage: USAGE }],
    [
      'text after a tool call',
      {
        pieces: [{ tool: 0, id: 'call_a', name: 'ls', args: '{"path": "."}' }, { text: 'Listing.' }],
        finish: 'tool_calls',
        usage: USAGE,
      },
    ],
  ])('handles %s the way the non-stream translation does', async (_case, answer) => {
    for (const split of [whole, byCharacter]) {
      const frames = encode(chunksOf(answer, split));
      expectWellFormed(frames);
      const streamed = JSON.parse(JSON.stringify(await sdkFinalMessage(frames)));
      const expected = chatToMessage(completionOf(answer), MODEL, ids());
      if (_case === 'text after a tool call') {
        // The stream keeps the order the upstream used; a non-stream completion cannot say it.
        expect(streamed.content).toEqual([expected.content[1], expected.content[0]]);
        expect({ ...streamed, content: [] }).toEqual({ ...expected, content: [] });
      } else {
        expect(streamed).toEqual(expected);
      }
    }
  });

  it('streams a tool call’s arguments live when calls come one after the other', () => {
    const encoder = new MessagesStreamEncoder(MODEL, ids());
    encoder.push(
      chunk({ tool_calls: [{ index: 0, id: 'call_w', type: 'function', function: { name: 'Write', arguments: '' } }] }),
    );
    const live = events(
      encoder.push(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"content": "line 1\\n' } }] })),
    );
    expect(live).toEqual([
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"content": "line 1\\n' },
      },
    ]);
  });

  it('keeps interleaved parallel tool calls well-formed: a later call waits until the open one is complete', async () => {
    const encoder = new MessagesStreamEncoder(MODEL, ids());
    const call = (index: number, args: string, head?: { id: string; name: string }): ChatCompletionChunk =>
      chunk({
        tool_calls: [
          head
            ? { index, id: head.id, type: 'function', function: { name: head.name, arguments: args } }
            : { index, function: { arguments: args } },
        ],
      });
    const frames: SseFrame[] = [];
    frames.push(...encoder.push(call(0, '{"city":', { id: 'call_oslo', name: 'get_weather' })));
    const whileWaiting = encoder.push(call(1, '{"city":', { id: 'call_bergen', name: 'get_weather' }));
    frames.push(...whileWaiting);
    expect(events(whileWaiting)).toEqual([]); // the second call cannot open while the first is incomplete
    frames.push(...encoder.push(call(1, ' "Bergen"}')));
    const completing = encoder.push(call(0, ' "Oslo"}'));
    frames.push(...completing);
    expect(events(completing).map((e) => e.type)).toEqual([
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
    ]);
    frames.push(...encoder.push(chunk({}, 'tool_calls')), ...encoder.finish());

    expectWellFormed(frames);
    const message = await sdkFinalMessage(frames);
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_oslo', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'call_bergen', name: 'get_weather', input: { city: 'Bergen' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('writes a whole tool call that arrives in one chunk (as Gemini sends them), and names calls that came without an id', async () => {
    const encoder = new MessagesStreamEncoder(MODEL, ids());
    const frames = [
      ...encoder.push(
        chunk({
          tool_calls: [
            { index: 0, type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
            { index: 1, type: 'function', function: { name: 'b', arguments: '{"y":2}' } },
          ],
        }),
      ),
      ...encoder.push(chunk({}, 'stop')),
      ...encoder.finish(),
    ];
    expectWellFormed(frames);
    const message = await sdkFinalMessage(frames);
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'toolu_2', name: 'a', input: { x: 1 } },
      { type: 'tool_use', id: 'toolu_3', name: 'b', input: { y: 2 } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('ends a stream that never received a chunk with a valid empty message', async () => {
    const encoder = new MessagesStreamEncoder(MODEL, ids());
    const frames = encoder.finish();
    expectWellFormed(frames);
    expect((await sdkFinalMessage(frames)).content).toEqual([]);
  });

  it('sends pings the SDK skips', async () => {
    const encoder = new MessagesStreamEncoder(MODEL, ids());
    const ping = encoder.ping();
    expect(ping).toEqual({ event: 'ping', data: '{"type":"ping"}' });
    const frames = [ping, ...encoder.push(chunk({ content: 'Hi' })), ping, ...encoder.finish()];
    expect((await sdkFinalMessage(frames)).content).toEqual([{ type: 'text', text: 'Hi' }]);
  });

  it('ends a failed stream with one error event, which the SDK throws with its type', async () => {
    const encoder = new MessagesStreamEncoder(MODEL, ids());
    const frames = [
      ...encoder.push(chunk({ content: 'Partial' })),
      ...encoder.fail(new GatewayError('upstream_unavailable', 'Every upstream is overloaded.')),
    ];
    expect(frames.at(-1)).toEqual({
      event: 'error',
      data: JSON.stringify({
        type: 'error',
        error: { type: 'overloaded_error', message: 'Every upstream is overloaded.' },
      }),
    });
    expect(encoder.finish()).toEqual([]);
    expect(encoder.push(chunk({ content: 'late' }))).toEqual([]);
    await expect(sdkFinalMessage(frames)).rejects.toMatchObject({
      error: { type: 'error', error: { type: 'overloaded_error' } },
    });
  });

  it('writes nothing after finish', () => {
    const encoder = new MessagesStreamEncoder(MODEL, ids());
    encoder.finish();
    expect(encoder.push(chunk({ content: 'late' }))).toEqual([]);
    expect(encoder.finish()).toEqual([]);
    expect(encoder.fail(new GatewayError('upstream_error', 'late'))).toEqual([]);
  });
});
