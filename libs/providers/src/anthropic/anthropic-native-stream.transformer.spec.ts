import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewayError } from '@app/common';
import type { NativeMessagesEvent } from '../provider.types';
import { SseParser } from '../sse/sse-parser';
import { AnthropicNativeStreamTransformer } from './anthropic-native-stream.transformer';

const fixture = (name: string) => readFileSync(join(__dirname, 'fixtures', name));

/** Feeds the bytes through parser and transformer; returns the events, or the error that ended them. */
function passThrough(bytes: Buffer | string): { events: NativeMessagesEvent[]; error?: GatewayError } {
  const parser = new SseParser();
  const transformer = new AnthropicNativeStreamTransformer('claude');
  const events: NativeMessagesEvent[] = [];
  try {
    for (const event of parser.push(bytes)) events.push(transformer.push(event));
    transformer.end();
    return { events };
  } catch (error) {
    return { events, error: error as GatewayError };
  }
}

const encode = (events: NativeMessagesEvent[]) =>
  events.map(({ event, data }) => `event: ${event}\ndata: ${data}\n\n`).join('');
const sse = (event: object, name = (event as { type: string }).type) =>
  `event: ${name}\ndata: ${JSON.stringify(event)}\n\n`;
const START = sse({
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    content: [],
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});

describe('AnthropicNativeStreamTransformer', () => {
  it('forwards every event of a stream unchanged, pings included', () => {
    const bytes = fixture('text-and-parallel-tools.sse');
    const { events, error } = passThrough(bytes);
    expect(error).toBeUndefined();
    expect(encode(events)).toBe(bytes.toString('utf8'));
    expect(events.filter((e) => e.event === 'ping')).toHaveLength(2);
  });

  it('marks as content the block starts and deltas and the stop reason, not the envelope around them', () => {
    const { events } = passThrough(fixture('text-and-parallel-tools.sse'));
    const marked = events.map((e) => `${e.event}:${e.content}`);
    expect(marked.slice(0, 4)).toEqual([
      'message_start:false',
      'content_block_start:true',
      'ping:false',
      'content_block_delta:true',
    ]);
    expect(marked).toContain('content_block_stop:false');
    expect(marked.slice(-2)).toEqual(['message_delta:true', 'message_stop:false']);
  });

  it('reports cumulative usage with cache reads and writes on message_start and message_delta only', () => {
    const { events } = passThrough(fixture('text-and-parallel-tools.sse'));
    const withUsage = events.filter((e) => e.usage).map((e) => [e.event, e.usage]);
    expect(withUsage).toEqual([
      [
        'message_start',
        {
          prompt_tokens: 2560,
          completion_tokens: 1,
          total_tokens: 2561,
          prompt_tokens_details: { cached_tokens: 2048 },
        },
      ],
      [
        'message_delta',
        {
          prompt_tokens: 2560,
          completion_tokens: 71,
          total_tokens: 2631,
          prompt_tokens_details: { cached_tokens: 2048 },
        },
      ],
    ]);
  });

  it('does not call a message_delta without a stop reason content', () => {
    const { events } = passThrough(
      START + sse({ type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 3 } }),
    );
    expect(events[1]).toMatchObject({ event: 'message_delta', content: false, usage: { completion_tokens: 3 } });
  });

  it('forwards event types it does not know, as clients must ignore them', () => {
    const { events } = passThrough(START + sse({ type: 'future_event', index: 0 }));
    expect(events[1]).toEqual({ event: 'future_event', data: '{"type":"future_event","index":0}', content: false });
  });

  it('writes an event whose data spans several lines back as one line of the same JSON', () => {
    const { events } = passThrough(
      `${START}event: content_block_delta\ndata: {"type":"content_block_delta","index":0,\ndata:  "delta":{"type":"text_delta","text":"Hi"}}\n\n`,
    );
    expect(events[1].data).toBe('{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}');
  });

  it('names an event without an event: line by its type', () => {
    const { events } = passThrough(
      `${START}data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`,
    );
    expect(events[1]).toMatchObject({ event: 'content_block_start', content: true });
  });

  it('ends with a retryable upstream_unavailable for an overloaded error event, without forwarding it', () => {
    const { events, error } = passThrough(fixture('overloaded-mid-stream.sse'));
    expect(events.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({
      code: 'upstream_unavailable',
      message: expect.stringContaining('overloaded_error: Overloaded'),
    });
  });

  it('maps an error event whose data is not JSON to upstream_error', () => {
    expect(passThrough(`${START}event: error\ndata: <html>\n\n`).error).toMatchObject({ code: 'upstream_error' });
  });

  it('fails a stream that ends before message_stop', () => {
    const { events, error } = passThrough(fixture('cut-before-message-stop.sse'));
    expect(events.length).toBeGreaterThan(0);
    expect(error).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('before "message_stop"') });
  });

  it('rejects events before message_start, a second message_start and a message_start that is not JSON', () => {
    expect(
      passThrough(sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'x' } })).error,
    ).toMatchObject({
      code: 'upstream_invalid_response',
      message: expect.stringContaining('"content_block_delta" before "message_start"'),
    });
    expect(passThrough(START + START).error).toMatchObject({
      code: 'upstream_invalid_response',
      message: expect.stringContaining('a second "message_start"'),
    });
    expect(passThrough('event: message_start\ndata: {oops\n\n').error).toMatchObject({
      code: 'upstream_invalid_response',
    });
  });
});
