import { setImmediate as nextTurn } from 'node:timers/promises';

export interface JsonTurns {
  /** The most JSON text one native JSON.stringify call produces. */
  sliceChars: number;
  /** How long stringifying may hold the event loop before it lets other work run. */
  turnMs: number;
}

/** 256 Ki characters stringify in about a millisecond; a turn ends after 10 ms. */
const DEFAULT_TURNS: JsonTurns = { sliceChars: 256 * 1024, turnMs: 10 };

/**
 * `JSON.stringify(value)`, character for character, without holding the event loop for long: a value whose
 * text is shorter than a slice is stringified in one call; a larger one piece by piece (runs of array items
 * or object members, pieces of long strings), each piece by the native JSON.stringify, yielding to other
 * work every `turnMs`. A 10 MB request body otherwise takes 20–50 ms in one call. The size is estimated by a
 * walk that stops as soon as it passes a slice, so a small value costs one short walk more.
 *
 * One difference: `toJSON(key)` of an item stringified within a run receives its index in the run.
 */
export async function stringifyInTurns(value: unknown, turns: JsonTurns = DEFAULT_TURNS): Promise<string> {
  if (!canSlice(value) || estimatedChars(value, turns.sliceChars) <= turns.sliceChars) return JSON.stringify(value);
  const writer = new JsonWriter(turns);
  await writer.value(value);
  return writer.text();
}

/**
 * About the length of the value's JSON text, counted only until it passes `limit` (so the walk is short for
 * a large value). Recursion is as deep as the value, as in JSON.stringify itself.
 */
function estimatedChars(value: unknown, limit: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null || hasToJson(value)) return 4;
  let chars = 2;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      chars += 1 + estimatedChars(item, limit - chars);
      if (chars > limit) break;
    }
  } else {
    for (const key of Object.keys(value)) {
      chars += key.length + 4 + estimatedChars((value as Record<string, unknown>)[key], limit - chars);
      if (chars > limit) break;
    }
  }
  return chars;
}

class JsonWriter {
  private readonly pieces: string[] = [];
  /** The containers being written, to refuse a cycle as JSON.stringify does. */
  private readonly open = new Set<object>();
  private turnStarted = performance.now();

  constructor(private readonly turns: JsonTurns) {}

  text(): string {
    return this.pieces.join('');
  }

  /** A value larger than a slice. */
  async value(value: unknown): Promise<void> {
    if (typeof value === 'string') return this.longString(value);
    if (!canSlice(value)) {
      this.pieces.push(JSON.stringify(value));
      return;
    }
    const container = value as object;
    if (this.open.has(container)) throw new TypeError('Converting circular structure to JSON');
    this.open.add(container);
    if (Array.isArray(container)) await this.array(container);
    else await this.object(container as Record<string, unknown>);
    this.open.delete(container);
  }

  private async array(items: unknown[]): Promise<void> {
    this.pieces.push('[');
    let separator = '';
    let run: unknown[] = [];
    let runChars = 0;
    const flush = async () => {
      if (run.length === 0) return;
      this.pieces.push(separator, JSON.stringify(run).slice(1, -1));
      separator = ',';
      run = [];
      runChars = 0;
      await this.pause();
    };
    for (const item of items) {
      const chars = estimatedChars(item, this.turns.sliceChars);
      if (chars > this.turns.sliceChars && canSlice(item)) {
        await flush();
        this.pieces.push(separator);
        separator = ',';
        await this.value(item);
        continue;
      }
      if (runChars + chars > this.turns.sliceChars) await flush();
      run.push(item);
      runChars += chars;
    }
    await flush();
    this.pieces.push(']');
  }

  private async object(members: Record<string, unknown>): Promise<void> {
    this.pieces.push('{');
    let separator = '';
    // No prototype: a member named `__proto__` is an ordinary key here, as it is to JSON.stringify.
    let run = Object.create(null) as Record<string, unknown>;
    let runChars = 0;
    const flush = async () => {
      if (runChars === 0) return;
      const text = JSON.stringify(run);
      if (text !== '{}') {
        this.pieces.push(separator, text.slice(1, -1));
        separator = ',';
      }
      run = Object.create(null) as Record<string, unknown>;
      runChars = 0;
      await this.pause();
    };
    for (const key of Object.keys(members)) {
      const member = members[key];
      const chars = estimatedChars(member, this.turns.sliceChars);
      if (chars > this.turns.sliceChars && canSlice(member)) {
        await flush();
        this.pieces.push(separator, JSON.stringify(key), ':');
        separator = ',';
        await this.value(member);
        continue;
      }
      if (runChars + chars > this.turns.sliceChars) await flush();
      run[key] = member;
      runChars += chars + key.length + 4;
    }
    await flush();
    this.pieces.push('}');
  }

  /** A long string in pieces, never splitting a surrogate pair (JSON.stringify escapes a lone surrogate). */
  private async longString(text: string): Promise<void> {
    this.pieces.push('"');
    for (let from = 0; from < text.length;) {
      let to = Math.min(text.length, from + this.turns.sliceChars);
      if (to < text.length && isHighSurrogate(text.charCodeAt(to - 1))) to = to - 1 > from ? to - 1 : to + 1;
      this.pieces.push(JSON.stringify(text.slice(from, to)).slice(1, -1));
      from = to;
      await this.pause();
    }
    this.pieces.push('"');
  }

  private async pause(): Promise<void> {
    if (performance.now() - this.turnStarted < this.turns.turnMs) return;
    await nextTurn();
    this.turnStarted = performance.now();
  }
}

/** Strings, arrays and plain objects can be written in pieces; anything else is one JSON.stringify call. */
function canSlice(value: unknown): value is string | object {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && !hasToJson(value));
}

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
