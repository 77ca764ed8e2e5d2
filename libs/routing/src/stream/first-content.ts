/** A stream read up to its first content event, with the events before it held back. */
export interface HeldStream<E, S extends AsyncIterable<E> = AsyncIterable<E>> {
  /** The stream as opened, for what it carries besides events (e.g. dropped parameters). */
  opened: S;
  held: readonly E[];
  rest: AsyncIterator<E>;
}

/**
 * Opens a stream and reads until its first event that `carriesContent` (what the client would notice).
 * Until then nothing has reached the client, so a failure is an ordinary, retryable attempt failure; after
 * it, the stream belongs to the client.
 */
export async function readUntilFirstContent<E, S extends AsyncIterable<E>>(
  opening: Promise<S>,
  carriesContent: (event: E) => boolean,
): Promise<HeldStream<E, S>> {
  const opened = await opening;
  const rest = opened[Symbol.asyncIterator]();
  const held: E[] = [];
  try {
    for (;;) {
      const next = await rest.next();
      if (next.done) break;
      held.push(next.value);
      if (carriesContent(next.value)) break;
    }
  } catch (error) {
    await rest.return?.();
    throw error;
  }
  return { opened, held, rest };
}

/** The held events, then the rest; `onEnd` learns how the stream ended (with the error if it failed). */
export async function* relay<E>(stream: HeldStream<E>, onEnd: (failure?: unknown) => void): AsyncGenerator<E> {
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
