import { setImmediate as nextTurn } from 'node:timers/promises';

/** How a long list is worked through without holding the event loop for long. */
export interface ItemTurns {
  /** Items handled between two looks at the clock; a list of up to this many is handled in one call. */
  sliceItems: number;
  /** How long the work may hold the event loop before it lets other work run. */
  turnMs: number;
}

/**
 * 1,000 ordinary messages are checked, measured or translated in well under a millisecond; a turn ends after
 * 10 ms, as for the sliced JSON parser and stringifier.
 */
export const ITEM_TURNS: ItemTurns = { sliceItems: 1_000, turnMs: 10 };

/**
 * True when a list of `length` items is worth `forSlicesInTurns`; a shorter one is handled in one call, with
 * no promise and no look at the clock (the normal request: a few to a few hundred messages).
 */
export function isLongList(length: number, turns: ItemTurns = ITEM_TURNS): boolean {
  return length > turns.sliceItems;
}

/**
 * Calls `work(from, to)` for consecutive slices of [0, length), in order, yielding to other requests whenever
 * the turn has lasted `turnMs`: a 200k-message request otherwise holds the event loop for tens of ms in each
 * pass over its messages. The work starts in a turn of its own, so that it never adds to what the turn it was
 * called in has already spent; an error thrown by `work` ends the walk and rejects the promise.
 */
export async function forSlicesInTurns(
  length: number,
  work: (from: number, to: number) => void,
  turns: ItemTurns = ITEM_TURNS,
): Promise<void> {
  await nextTurn();
  let turnStarted = performance.now();
  for (let from = 0; from < length; from += turns.sliceItems) {
    work(from, Math.min(length, from + turns.sliceItems));
    if (performance.now() - turnStarted >= turns.turnMs) {
      await nextTurn();
      turnStarted = performance.now();
    }
  }
}
