import type { StreamEvent } from '@app/providers';
import { chatEventCarriesContent } from './carries-content';
import { readUntilFirstContent, relay } from './first-content';

/** A stream of the given items that throws `failure` after them (if given) and notes whether it was closed. */
function scripted<E>(items: E[], failure?: Error) {
  const state = { returned: false, read: 0 };
  async function* generate(): AsyncGenerator<E> {
    try {
      for (const item of items) {
        state.read++;
        yield item;
      }
      if (failure) throw failure;
    } finally {
      state.returned = true;
    }
  }
  return { stream: Object.assign(generate(), { droppedParams: ['seed'] }), state };
}

const isContent = (event: string) => event.startsWith('content');

async function collect<E>(events: AsyncIterable<E>): Promise<E[]> {
  const out: E[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('readUntilFirstContent', () => {
  it('holds the events up to and including the first one the predicate calls content, and reads no further', async () => {
    const { stream, state } = scripted(['start', 'ping', 'content 1', 'content 2']);
    const held = await readUntilFirstContent(Promise.resolve(stream), isContent);
    expect(held.held).toEqual(['start', 'ping', 'content 1']);
    expect(state.read).toBe(3);
    expect(held.opened.droppedParams).toEqual(['seed']);
  });

  it('fails, closing the stream, when it breaks before any content', async () => {
    const { stream, state } = scripted(['start', 'ping'], new Error('cut'));
    await expect(readUntilFirstContent(Promise.resolve(stream), isContent)).rejects.toThrow('cut');
    expect(state.returned).toBe(true);
  });

  it('fails when the stream cannot be opened', async () => {
    await expect(readUntilFirstContent(Promise.reject(new Error('503')), isContent)).rejects.toThrow('503');
  });

  it('holds a stream that ends without content whole, as an empty answer is still an answer', async () => {
    const { stream } = scripted(['start', 'stop']);
    expect((await readUntilFirstContent(Promise.resolve(stream), isContent)).held).toEqual(['start', 'stop']);
  });
});

describe('relay', () => {
  it('yields the held events, then the rest, and reports a clean end', async () => {
    const { stream } = scripted(['start', 'content 1', 'content 2', 'stop']);
    const onEnd = jest.fn();
    const events = await collect(relay(await readUntilFirstContent(Promise.resolve(stream), isContent), onEnd));
    expect(events).toEqual(['start', 'content 1', 'content 2', 'stop']);
    expect(onEnd).toHaveBeenCalledWith(undefined);
  });

  it('reports a failure after the first content and rethrows it to the consumer', async () => {
    const cut = new Error('cut');
    const { stream } = scripted(['start', 'content 1'], cut);
    const onEnd = jest.fn();
    const relayed = relay(await readUntilFirstContent(Promise.resolve(stream), isContent), onEnd);
    await expect(collect(relayed)).rejects.toBe(cut);
    expect(onEnd).toHaveBeenCalledWith(cut);
  });

  it('closes the upstream stream and reports a clean end when the consumer stops early', async () => {
    const { stream, state } = scripted(['start', 'content 1', 'content 2', 'stop']);
    const onEnd = jest.fn();
    for await (const event of relay(await readUntilFirstContent(Promise.resolve(stream), isContent), onEnd)) {
      if (event === 'content 1') break;
    }
    expect(state.returned).toBe(true);
    expect(onEnd).toHaveBeenCalledWith(undefined);
  });
});

describe('chatEventCarriesContent', () => {
  const chunk = (choice: object): StreamEvent => ({
    chunk: { choices: [{ index: 0, delta: {}, finish_reason: null, ...choice }] } as never,
  });

  it('is false for the role chunk, empty text and a usage chunk', () => {
    expect(chatEventCarriesContent(chunk({ delta: { role: 'assistant', content: '' } }))).toBe(false);
    expect(chatEventCarriesContent({ chunk: { choices: [], usage: { prompt_tokens: 1 } } as never })).toBe(false);
  });

  it('is true for text, a tool call, reasoning, a refusal and a finish', () => {
    expect(chatEventCarriesContent(chunk({ delta: { content: 'Hi' } }))).toBe(true);
    expect(chatEventCarriesContent(chunk({ delta: { tool_calls: [{ index: 0 }] } }))).toBe(true);
    expect(chatEventCarriesContent(chunk({ delta: { reasoning_content: 'hmm' } }))).toBe(true);
    expect(chatEventCarriesContent(chunk({ delta: { refusal: 'no' } }))).toBe(true);
    expect(chatEventCarriesContent(chunk({ finish_reason: 'stop' }))).toBe(true);
  });
});
