import type { ChatCompletionChunk } from '@app/common';
import type { ChatStream, StreamEvent } from '@app/providers';

/** A stream read up to its first content chunk, with the events before it held back. */
export interface HeldStream {
  held: readonly StreamEvent[];
  rest: AsyncIterator<StreamEvent>;
  droppedParams: readonly string[];
}

/**
 * Opens a stream and reads until its first content chunk. Until then nothing has reached the client, so a
 * failure is an ordinary, retryable attempt failure; after it, the stream belongs to the client.
 */
export async function readUntilFirstContent(opening: Promise<ChatStream>): Promise<HeldStream> {
  const stream = await opening;
  const rest = stream[Symbol.asyncIterator]();
  const held: StreamEvent[] = [];
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      held.push(next.value);
      if (carriesContent(next.value.chunk)) break;
    }
  } catch (error) {
    await rest.return?.();
    throw error;
  }
  return { held, rest, droppedParams: stream.droppedParams };
}

/** The held events, then the rest; `onEnd` learns how the stream ended (with the error if it failed). */
export async function* relay(stream: HeldStream, onEnd: (failure?: unknown) => void): AsyncGenerator<StreamEvent> {
  let failure: unknown;
  try {
    yield* stream.held;
    for (;;) {
      const next = await stream.rest.next();
      if (next.done) return;
      yield next.value;
    }
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    onEnd(failure);
    await stream.rest.return?.();
  }
}

/** True for a chunk the client would notice: text, a tool call, a refusal, reasoning or a finish. */
function carriesContent(chunk: ChatCompletionChunk): boolean {
  return (
    chunk.choices?.some((choice) => {
      const delta = choice.delta ?? {};
      return (
        choice.finish_reason != null ||
        (typeof delta.content === 'string' && delta.content.length > 0) ||
        (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) ||
        Boolean(delta.refusal) ||
        Boolean(delta.reasoning_content)
      );
    }) ?? false
  );
}
