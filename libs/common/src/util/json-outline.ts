const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

const NOT_RECORDING = new Int32Array(0);

/** JSON text nested deeper than the gateway will walk. */
export class JsonTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`nested deeper than ${maxDepth} levels`);
  }
}

/** A container longer than the outline's `bigChars`: where it ends and where its direct children are separated. */
export interface BigContainer {
  /** Offset of the closing bracket. */
  end: number;
  /** Offsets of the commas between its direct children, in order. */
  commas: number[];
}

/**
 * One linear pass over JSON text that looks only at what lies outside strings (a string is skipped with
 * `indexOf`, so text-heavy bodies cost little). It checks the nesting depth before anything recursive
 * (JSON.stringify, a translator) can touch the value, and, when `bigChars` is set, records every container
 * longer than that with its children's separators, so that a big body can be parsed in slices. It judges
 * brackets only as far as slicing needs (they must pair); JSON.parse judges everything else.
 *
 * Resumable: `scan(until)` continues where the last call stopped, so a caller can spread the pass over
 * several turns of the event loop.
 */
export class JsonOutline {
  /** Big containers by the offset of their opening bracket. */
  readonly big = new Map<number, BigContainer>();
  private position = 0;
  private depth = 0;
  /** When recording: the open containers' opening offsets, and where their commas start in `commas`. */
  private readonly opened: Int32Array;
  private readonly commaBase: Int32Array;
  private readonly commas: number[] = [];

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
    private readonly bigChars = Number.POSITIVE_INFINITY,
  ) {
    const recording = bigChars !== Number.POSITIVE_INFINITY;
    this.opened = recording ? new Int32Array(maxDepth + 1) : NOT_RECORDING;
    this.commaBase = recording ? new Int32Array(maxDepth + 1) : NOT_RECORDING;
  }

  /** How far the text has been scanned. */
  get offset(): number {
    return this.position;
  }

  /**
   * Scans up to offset `until`. Throws JsonTooDeepError as soon as the depth passes the limit, and a
   * SyntaxError for brackets that do not pair when recording.
   */
  scan(until = this.text.length): void {
    const text = this.text;
    const recording = this.bigChars !== Number.POSITIVE_INFINITY;
    const stop = Math.min(until, text.length);
    let i = this.position;
    for (; i < stop; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        i = closingQuote(text, i);
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
        if (++this.depth > this.maxDepth) throw new JsonTooDeepError(this.maxDepth);
        if (recording) {
          this.opened[this.depth] = i;
          this.commaBase[this.depth] = this.commas.length;
        }
      } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (recording) this.close(i, c);
        this.depth--;
      } else if (c === COMMA && recording) {
        this.commas.push(i);
      }
    }
    this.position = i;
  }

  private close(at: number, bracket: number): void {
    if (this.depth < 1) throw new SyntaxError('unpaired bracket');
    const start = this.opened[this.depth];
    const base = this.commaBase[this.depth];
    if (this.text.charCodeAt(start) !== (bracket === CLOSE_ARRAY ? OPEN_ARRAY : OPEN_OBJECT)) {
      throw new SyntaxError('unpaired bracket');
    }
    if (at - start > this.bigChars) this.big.set(start, { end: at, commas: this.commas.slice(base) });
    this.commas.length = base;
  }
}

/** The offset of the quote that closes the string opened at `open` (the text's length if none does). */
export function closingQuote(text: string, open: number): number {
  let quote = open;
  for (;;) {
    quote = text.indexOf('"', quote + 1);
    if (quote < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}
