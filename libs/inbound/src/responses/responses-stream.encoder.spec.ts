import OpenAI from 'openai';
import { ChatCompletion, ChatCompletionChunk, GatewayError, ToolCallDelta, Usage } from '@app/common';
import { openApiSchemas } from '../../../../test/utils/openapi-schema';
import type { SseFrame } from '../sse-frame';
import { chatToResponse } from './chat-to-response';
import { parseResponsesRequest } from './responses-request';
import { ResponsesStreamEncoder } from './responses-stream.encoder';
import { responsesToChat } from './responses-to-chat';
import type { OutputItem, ResponseIdGenerator, ResponseObject, ResponsesRequest } from './responses.types';

const schemas = openApiSchemas();
const itValidates = schemas ? it : it.skip;
if (!schemas)
  console.warn('OpenAI OpenAPI document not found (see test/utils/openapi-schema.ts): schema checks skipped.');

const NOW = 1_767_225_600;

function sequentialIds(): ResponseIdGenerator {
  const counts = new Map<string, number>();
  return (prefix) => {
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    return `${prefix}${counts.get(prefix)}`;
  };
}

const request: ResponsesRequest = parseResponsesRequest({
  model: 'switchyard-coder',
  instructions: 'You are a coding agent.',
  input: 'Fix the bug.',
  stream: true,
  store: false,
  tools: [
    {
      type: 'function',
      name: 'exec_command',
      parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
      strict: false,
    },
    { type: 'custom', name: 'apply_patch', description: 'Edit files.' },
    {
      type: 'namespace',
      name: 'mcp__github__',
      description: 'GitHub.',
      tools: [{ type: 'function', name: 'create_issue', parameters: { type: 'object' } }],
    },
    { type: 'web_search' },
  ],
});
const { toolNames } = responsesToChat(request);

const USAGE: Usage = {
  prompt_tokens: 2210,
  completion_tokens: 64,
  total_tokens: 2274,
  prompt_tokens_details: { cached_tokens: 2048 },
  completion_tokens_details: { reasoning_tokens: 32 },
};

/** One assistant turn as a chat upstream may produce it, streamed or not. */
interface Turn {
  reasoning?: string;
  text?: string;
  toolCalls?: Array<{ id: string; name: string; arguments: string }>;
  finish: NonNullable<ChatCompletion['choices'][0]['finish_reason']>;
  usage?: Usage;
}

const FULL_TURN: Turn = {
  reasoning: 'The bug is in a.ts; patch it, file an issue, rerun.',
  text: 'Patching a.ts now — then I will check. 🚀',
  toolCalls: [
    {
      id: 'call_A',
      name: 'apply_patch',
      arguments: '{"input":"*** Begin Patch\\n*** Update File: a.ts\\n-x\\n+y\\n*** End Patch\\n"}',
    },
    { id: 'call_B', name: 'mcp__github__create_issue', arguments: '{"title":"a.ts bug","body":"fixed"}' },
    { id: 'call_C', name: 'exec_command', arguments: '{"cmd":"npm test"}' },
  ],
  finish: 'tool_calls',
  usage: USAGE,
};

function asCompletion(turn: Turn): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: NOW,
    model: 'upstream-model',
    choices: [
      {
        index: 0,
        logprobs: null,
        finish_reason: turn.finish,
        message: {
          role: 'assistant',
          content: turn.text ?? null,
          refusal: null,
          ...(turn.reasoning ? { reasoning_content: turn.reasoning } : {}),
          ...(turn.toolCalls
            ? {
                tool_calls: turn.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        },
      },
    ],
    ...(turn.usage ? { usage: turn.usage } : {}),
  };
}

function chunk(
  delta: ChatCompletionChunk['choices'][0]['delta'],
  finish: ChatCompletionChunk['choices'][0]['finish_reason'] = null,
): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: NOW,
    model: 'upstream-model',
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function usageChunk(usage: Usage): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: NOW,
    model: 'upstream-model',
    choices: [],
    usage,
  };
}

/** Deterministic PRNG (mulberry32), so a failing chunking can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function split(text: string, next: () => number): string[] {
  const chars = [...text];
  const pieces: string[] = [];
  for (let start = 0; start < chars.length;) {
    const length = 1 + Math.floor(next() * Math.min(8, chars.length - start));
    pieces.push(chars.slice(start, start + length).join(''));
    start += length;
  }
  return pieces;
}

/**
 * The turn as chunks, split at random points: reasoning, then text, then the tool calls, each announced (id and
 * name) in index order, their argument fragments interleaved across indices; the finish reason on its own chunk
 * or on the last delta; the usage last.
 */
function chunked(turn: Turn, seed: number): ChatCompletionChunk[] {
  const next = random(seed);
  const chunks: ChatCompletionChunk[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of split(turn.reasoning ?? '', next)) chunks.push(chunk({ reasoning_content: piece }));
  for (const piece of split(turn.text ?? '', next)) chunks.push(chunk({ content: piece }));
  const fragments = (turn.toolCalls ?? []).map((call) => split(call.arguments, next));
  const toolDeltas: ToolCallDelta[] = [];
  (turn.toolCalls ?? []).forEach((call, index) =>
    toolDeltas.push({
      index,
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: fragments[index].shift() ?? '' },
    }),
  );
  const pending = fragments.map((pieces, index) => ({ index, pieces }));
  // Announcements stay in index order; the remaining fragments of all calls are shuffled among each other.
  const rest: ToolCallDelta[] = [];
  while (pending.some((p) => p.pieces.length > 0)) {
    const open = pending.filter((p) => p.pieces.length > 0);
    const pick = open[Math.floor(next() * open.length)];
    rest.push({ index: pick.index, function: { arguments: pick.pieces.shift()! } });
  }
  const all = [...toolDeltas.slice(0, 1), ...interleave(toolDeltas.slice(1), rest, next)];
  for (const delta of all) chunks.push(chunk({ tool_calls: [delta] }));
  if (next() < 0.5 && chunks.length > 1) chunks[chunks.length - 1].choices[0].finish_reason = turn.finish;
  else chunks.push(chunk({}, turn.finish));
  if (turn.usage) chunks.push(usageChunk(turn.usage));
  return chunks;
}

/** Merges two sequences, keeping the order within each, and keeping every fragment after its call's announcement. */
function interleave(announcements: ToolCallDelta[], fragments: ToolCallDelta[], next: () => number): ToolCallDelta[] {
  const out: ToolCallDelta[] = [];
  const announced = new Set([0]);
  const queue = [...fragments];
  const waiting = [...announcements];
  while (waiting.length > 0 || queue.length > 0) {
    // The first queued fragment of an announced call is the earliest one of that call still to send.
    const ready = queue.findIndex((delta) => announced.has(delta.index));
    if (waiting.length > 0 && (ready < 0 || next() < 0.4)) {
      const delta = waiting.shift()!;
      announced.add(delta.index);
      out.push(delta);
    } else {
      out.push(queue.splice(ready, 1)[0]);
    }
  }
  return out;
}

function encoder(): ResponsesStreamEncoder {
  return new ResponsesStreamEncoder(request, toolNames, { ids: sequentialIds(), now: () => NOW });
}

function run(
  chunks: ChatCompletionChunk[],
  end: (encoder: ResponsesStreamEncoder) => SseFrame[] = (e) => e.finish(),
): SseFrame[] {
  const stream = encoder();
  return [...stream.start(), ...chunks.flatMap((c) => stream.push(c)), ...end(stream)];
}

type Event = { type: string; sequence_number: number; [field: string]: unknown };

function events(frames: SseFrame[]): Event[] {
  return frames.map((frame) => {
    const event = JSON.parse(frame.data) as Event;
    expect(frame.event).toBe(event.type);
    return event;
  });
}

function terminal(frames: SseFrame[]): ResponseObject {
  return (events(frames).at(-1) as unknown as { response: ResponseObject }).response;
}

/** Rebuilds every item from its deltas alone, the way a client that only reads deltas would. */
function itemsFromDeltas(stream: Event[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const event of stream) {
    if (!event.type.endsWith('.delta')) continue;
    const index = (event.content_index ?? event.summary_index ?? '') as number | string;
    const key = `${event.item_id as string}/${event.type}/${index}`;
    texts.set(key, (texts.get(key) ?? '') + (event.delta as string));
  }
  return texts;
}

describe('ResponsesStreamEncoder', () => {
  it('streams a text answer as the canonical event sequence with event lines and sequence numbers from 0', () => {
    const frames = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
      usageChunk(USAGE),
    ]);
    const stream = events(frames);
    expect(stream.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(stream.map((event) => event.sequence_number)).toEqual(stream.map((_, i) => i));
    expect(stream[0]).toMatchObject({ response: { id: 'resp_1', status: 'in_progress', output: [], created_at: NOW } });
    expect(stream[0].response).not.toHaveProperty('usage');
    expect(stream[2]).toEqual({
      type: 'response.output_item.added',
      sequence_number: 2,
      output_index: 0,
      item: { type: 'message', id: 'msg_1', status: 'in_progress', role: 'assistant', content: [] },
    });
    expect(stream[4]).toEqual({
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: 'Hel',
      logprobs: [],
    });
    expect(stream[6]).toMatchObject({ text: 'Hello' });
    expect(stream[9]).toMatchObject({
      response: { status: 'completed', completed_at: NOW, usage: { input_tokens: 2210, total_tokens: 2274 } },
    });
  });

  it('(test generator) random chunkings really interleave the argument fragments of parallel calls', () => {
    const orders = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const indices = chunked(FULL_TURN, seed).flatMap(
        (c) => c.choices[0]?.delta.tool_calls?.map((call) => call.index) ?? [],
      );
      expect(indices.indexOf(1)).toBeGreaterThan(indices.indexOf(0));
      expect(indices.indexOf(2)).toBeGreaterThan(indices.indexOf(1));
      orders.add(indices.join(''));
    }
    expect([...orders].some((order) => /1.*0|2.*[01]/.test(order))).toBe(true);
    expect(orders.size).toBeGreaterThan(10);
  });

  it('gives the same final response as the non-stream translation whatever the chunking (200 random splits)', () => {
    const expected = chatToResponse(asCompletion(FULL_TURN), request, toolNames, {
      ids: sequentialIds(),
      now: () => NOW,
    });
    for (let seed = 1; seed <= 200; seed++) {
      const stream = events(run(chunked(FULL_TURN, seed)));
      const final = (stream.at(-1) as unknown as { response: ResponseObject }).response;
      expect({ seed, final }).toEqual({ seed, final: expected });
      // The items announced done are the final items, and their deltas add up to them.
      const done = stream
        .filter((event) => event.type === 'response.output_item.done')
        .map((event) => event.item as OutputItem);
      expect(done).toEqual(final.output);
      const deltas = itemsFromDeltas(stream);
      expect(deltas.get('rs_1/response.reasoning_summary_text.delta/0')).toBe(FULL_TURN.reasoning);
      expect(deltas.get('msg_1/response.output_text.delta/0')).toBe(FULL_TURN.text);
      expect(deltas.get('fc_1/response.function_call_arguments.delta/')).toBe(FULL_TURN.toolCalls![1].arguments);
      expect(deltas.get('ctc_1/response.custom_tool_call_input.delta/')).toBe(
        '*** Begin Patch\n*** Update File: a.ts\n-x\n+y\n*** End Patch\n',
      );
      expect(stream.map((event) => event.sequence_number)).toEqual(stream.map((_, i) => i));
    }
  });

  it('closes reasoning and the message before announcing a tool call, and completes calls only at the finish', () => {
    const stream = events(
      run([
        chunk({ reasoning_content: 'Think.' }),
        chunk({ content: 'Running it.' }),
        chunk({
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } },
          ],
        }),
        chunk({}, 'tool_calls'),
        usageChunk(USAGE),
      ]),
    );
    expect(
      stream.map(
        (event) => `${event.type}${event.output_index === undefined ? '' : `@${event.output_index as number}`}`,
      ),
    ).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added@0',
      'response.reasoning_summary_part.added@0',
      'response.reasoning_summary_text.delta@0',
      'response.reasoning_summary_text.done@0',
      'response.reasoning_summary_part.done@0',
      'response.output_item.done@0',
      'response.output_item.added@1',
      'response.content_part.added@1',
      'response.output_text.delta@1',
      'response.output_text.done@1',
      'response.content_part.done@1',
      'response.output_item.done@1',
      'response.output_item.added@2',
      'response.function_call_arguments.delta@2',
      'response.function_call_arguments.done@2',
      'response.output_item.done@2',
      'response.completed',
    ]);
    expect(stream[14]).toMatchObject({
      item: {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_1',
        name: 'exec_command',
        arguments: '',
        status: 'in_progress',
      },
    });
    expect(stream[16]).toMatchObject({ item_id: 'fc_1', name: 'exec_command', arguments: '{"cmd":"ls"}' });
  });

  it('keeps interleaved parallel tool calls apart, each with its own output index', () => {
    const stream = events(
      run([
        chunk({
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'exec_command', arguments: '' } }],
        }),
        chunk({
          tool_calls: [
            { index: 1, id: 'call_2', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":' } },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"cmd":"ls"}' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '"pwd"}' } }] }),
        chunk({}, 'tool_calls'),
      ]),
    );
    const argumentDeltas = stream.filter((event) => event.type === 'response.function_call_arguments.delta');
    expect(argumentDeltas.map((event) => [event.item_id, event.output_index, event.delta])).toEqual([
      ['fc_2', 1, '{"cmd":'],
      ['fc_1', 0, '{"cmd":"ls"}'],
      ['fc_2', 1, '"pwd"}'],
    ]);
    expect(terminal(stream.map((event) => ({ event: event.type, data: JSON.stringify(event) }))).output).toEqual([
      {
        type: 'function_call',
        id: 'fc_1',
        call_id: 'call_1',
        name: 'exec_command',
        arguments: '{"cmd":"ls"}',
        status: 'completed',
      },
      {
        type: 'function_call',
        id: 'fc_2',
        call_id: 'call_2',
        name: 'exec_command',
        arguments: '{"cmd":"pwd"}',
        status: 'completed',
      },
    ]);
    // A call announced without a name waits for it, so its item never carries a wrong one.
    const late = events(
      run([
        chunk({ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { arguments: '{"cmd"' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'exec_command', arguments: ':"ls"}' } }] }),
        chunk({}, 'tool_calls'),
      ]),
    );
    expect(late.find((event) => event.type === 'response.output_item.added')).toMatchObject({
      item: { name: 'exec_command', call_id: 'call_9' },
    });
    expect(terminal(late.map((event) => ({ event: event.type, data: JSON.stringify(event) }))).output[0]).toMatchObject(
      { arguments: '{"cmd":"ls"}' },
    );
  });

  it('answers an empty stream with one empty message, and a stream without usage with zeros', () => {
    const response = terminal(run([chunk({ role: 'assistant', content: '' }), chunk({}, 'stop')]));
    expect(response.output).toEqual([
      {
        type: 'message',
        id: 'msg_1',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: '', annotations: [], logprobs: [] }],
      },
    ]);
    expect(response.usage).toMatchObject({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
    expect(response).toEqual(
      chatToResponse(asCompletion({ finish: 'stop' }), request, toolNames, { ids: sequentialIds(), now: () => NOW }),
    );
  });

  it('ends a cut-off answer with response.incomplete (max_output_tokens), like the non-stream response', () => {
    const turn: Turn = { reasoning: 'Long thought', text: 'Half an ans', finish: 'length', usage: USAGE };
    const stream = events(run(chunked(turn, 7)));
    expect(stream.at(-1)).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' }, completed_at: null },
    });
    expect((stream.at(-1) as unknown as { response: ResponseObject }).response).toEqual(
      chatToResponse(asCompletion(turn), request, toolNames, { ids: sequentialIds(), now: () => NOW }),
    );
    // Cut off during the tool calls: the reasoning and message before them are complete, the calls are not.
    const cutInCalls: Turn = { ...FULL_TURN, finish: 'length' };
    const response = terminal(run(chunked(cutInCalls, 8)));
    expect(response.output.map((item) => ('status' in item ? item.status : item.type))).toEqual([
      'completed',
      'completed',
      'custom_tool_call',
      'incomplete',
      'incomplete',
    ]);
    expect(response).toEqual(
      chatToResponse(asCompletion(cutInCalls), request, toolNames, { ids: sequentialIds(), now: () => NOW }),
    );
  });

  describe('failures', () => {
    const started = [
      chunk({ content: 'Running' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"rm' } },
        ],
      }),
    ];

    it('ends with response.failed and never completes a half-streamed tool call', () => {
      const stream = events(
        run(started, (e) =>
          e.fail(new GatewayError('upstream_connection_error', 'The upstream closed the connection mid-stream.')),
        ),
      );
      const types = stream.map((event) => event.type);
      expect(types.at(-1)).toBe('response.failed');
      expect(types).not.toContain('response.completed');
      expect(types).not.toContain('response.function_call_arguments.done');
      const itemsDone = stream
        .filter((event) => event.type === 'response.output_item.done')
        .map((event) => (event.item as OutputItem).type);
      expect(itemsDone).toEqual(['message']);
      expect(stream.at(-1)).toMatchObject({
        response: {
          status: 'failed',
          error: { code: 'server_error', message: 'The upstream closed the connection mid-stream.' },
          output: [
            { type: 'message', status: 'completed' },
            { type: 'function_call', status: 'incomplete', arguments: '{"cmd":"rm' },
          ],
        },
      });
    });

    it('uses the error codes Codex acts on, with the wait for a rate limit in the message', () => {
      const code = (error: GatewayError) =>
        terminal(run(started, (e) => e.fail(error))).error as { code: string; message: string };
      expect(
        code(new GatewayError('upstream_rate_limited', 'Rate limited upstream.', { retryAfterSeconds: 7 })),
      ).toEqual({
        code: 'rate_limit_exceeded',
        message: 'Rate limited upstream. Please try again in 7s.',
      });
      expect(code(new GatewayError('insufficient_quota', 'Budget exhausted.')).code).toBe('insufficient_quota');
      expect(
        code(new GatewayError('upstream_bad_request', 'Too long.', { clientCode: 'context_length_exceeded' })).code,
      ).toBe('context_length_exceeded');
      expect(code(new GatewayError('upstream_timeout', 'Timed out.')).code).toBe('server_error');
    });

    it('announces the response before failing when nothing was sent yet, and sends nothing after the end', () => {
      const stream = encoder();
      const frames = stream.fail(new GatewayError('upstream_unavailable', 'Down.'));
      expect(events(frames).map((event) => event.type)).toEqual([
        'response.created',
        'response.in_progress',
        'response.failed',
      ]);
      expect(stream.push(chunk({ content: 'late' }))).toEqual([]);
      expect(stream.finish()).toEqual([]);
      expect(stream.fail(new GatewayError('upstream_unavailable', 'Again.'))).toEqual([]);
    });
  });

  itValidates("emits only events that satisfy the OpenAPI spec's schemas", () => {
    const streams = [
      run(chunked(FULL_TURN, 3)),
      run(chunked({ text: 'Half', finish: 'length' }, 4)),
      run([chunk({ refusal: 'I cannot ' }), chunk({ refusal: 'help.' }), chunk({}, 'stop')]),
      run([chunk({ content: 'Running' })], (e) => e.fail(new GatewayError('upstream_timeout', 'Timed out.'))),
    ];
    for (const event of streams.flatMap(events)) {
      expect({ type: event.type, errors: schemas!.memberErrors('ResponseStreamEvent', event) }).toEqual({
        type: event.type,
        errors: [],
      });
    }
  });

  it("is read by the openai SDK's stream parser into the same response as the non-stream translation", async () => {
    const body = run(chunked(FULL_TURN, 11))
      .map((frame) => `event: ${frame.event}\ndata: ${frame.data}\n\n`)
      .join('');
    const client = new OpenAI({
      apiKey: 'sk-test',
      baseURL: 'http://gateway.test/v1',
      maxRetries: 0,
      fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    });
    const stream = client.responses.stream({ model: 'switchyard-coder', input: 'Fix the bug.' });
    const doneItems: unknown[] = [];
    stream.on('response.output_item.done', (event) => doneItems.push(event.item));
    const final = await stream.finalResponse();
    const expected = chatToResponse(asCompletion(FULL_TURN), request, toolNames, {
      ids: sequentialIds(),
      now: () => NOW,
    });
    expect(final).toMatchObject(expected as unknown as Record<string, unknown>);
    expect(final.output_text).toBe(FULL_TURN.text);
    expect(doneItems).toEqual(expected.output);
  });
});
