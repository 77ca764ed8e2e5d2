import { setImmediate as nextTurn } from 'node:timers/promises';
import { BigContainer, closingQuote, JsonOutline } from './json-outline';

/** The app's JSON parser (with its protections against prototype poisoning) and its malformed-body error. */
export interface JsonSyntax {
  /** Parses one piece of JSON text; throws if it is malformed. */
  parse(text: string): unknown;
  malformed(): Error;
}

export interface JsonBodyLimits {
  /** Deepest nesting accepted, the body object itself counting as one. */
  maxDepth: number;
  /** Bodies longer than this (in characters) are parsed in slices; shorter ones in one go. */
  slicedAbove: number;
  /** The most JSON text one slice hands to the parser. */
  sliceChars: number;
  /** How long parsing may hold the event loop before it lets other work run. */
  turnMs: number;
}

const BYTE_ORDER_MARK = 0xfeff;
const OPEN_ARRAY = 0x5b;
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LOWER_U = 0x75;
/** JSON's own whitespace: not \s, which also skips Unicode spaces JSON.parse refuses. */
const NOT_BLANK = /[^ \t\n\r]/g;

/**
 * JSON bodies (client requests, upstream answers), parsed without letting one of them hold the event loop:
 * the depth is checked before parsing (JsonOutline), a short body is parsed in one go, and a long one in runs
 * of at most `sliceChars` handed to the native parser, yielding to other requests every `turnMs`. The native
 * parser does all the parsing, so slicing costs little more than one JSON.parse; it only cuts the work into
 * turns.
 */
export class JsonBodies {
  constructor(
    private readonly syntax: JsonSyntax,
    private readonly limits: JsonBodyLimits,
  ) {}

  /** True when the body is parsed in slices (`parseSliced`) rather than in one go (`parse`). */
  isLong(text: string): boolean {
    return text.length > this.limits.slicedAbove;
  }

  /** A short body: depth check, then one native parse. */
  parse(text: string): unknown {
    new JsonOutline(text, this.limits.maxDepth).scan();
    return this.syntax.parse(text);
  }

  /** A long body, over several turns of the event loop; the same result and errors as `parse`. */
  parseSliced(text: string): Promise<unknown> {
    return new SlicedParse(text, this.syntax, this.limits).parse();
  }
}

/** One long body on its way from text to value. */
class SlicedParse {
  private readonly outline: JsonOutline;
  private turnStarted = 0;

  constructor(
    private readonly text: string,
    private readonly syntax: JsonSyntax,
    private readonly limits: JsonBodyLimits,
  ) {
    this.outline = new JsonOutline(text, limits.maxDepth, limits.sliceChars);
  }

  async parse(): Promise<unknown> {
    // Parsing starts in a turn of its own: the turn that received the body's end has already spent its share
    // (Fastify's joining and decoding of the chunks: 10–18 ms per 10 MB).
    await this.nextTurn();
    // The outline pass, a few slices' worth of text per step.
    while (this.outline.offset < this.text.length) {
      try {
        this.outline.scan(this.outline.offset + 4 * this.limits.sliceChars);
      } catch (error) {
        throw error instanceof SyntaxError ? this.syntax.malformed() : error;
      }
      await this.pause();
    }
    const start = this.skipBlank(this.text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0);
    const value = await this.value(start, this.trimmedEnd(this.text.length));
    // The caller goes on in a turn of its own, not at the end of the last slice's.
    await nextTurn();
    return value;
  }

  /** The value in [start, end), trimmed of whitespace. */
  private async value(start: number, end: number): Promise<unknown> {
    const container = this.outline.big.get(start);
    if (container) {
      if (container.end !== end - 1) throw this.syntax.malformed();
      return this.text.charCodeAt(start) === OPEN_ARRAY ? this.array(start, container) : this.object(start, container);
    }
    if (this.isLongString(start, end)) return this.longString(start, end);
    return this.syntax.parse(this.text.slice(start, end));
  }

  /** True for a value parsed in slices of its own: a big container or a long string. */
  private isSliced(start: number, end: number): boolean {
    return this.outline.big.has(start) || this.isLongString(start, end);
  }

  /** [start, end) is one string, longer than a slice (a base64 image, a pasted document). */
  private isLongString(start: number, end: number): boolean {
    return (
      end - start > this.limits.sliceChars &&
      this.text.charCodeAt(start) === QUOTE &&
      closingQuote(this.text, start) === end - 1
    );
  }

  /**
   * A long string in pieces of at most `sliceChars`, each parsed as a string of its own and then joined: one
   * native call for 10 MB of text takes ~9 ms, and the app's parser scans the whole text again for prototype
   * poisoning. A piece never ends inside an escape (`\"`, `\\`, `\u00e9`); one that ends between the two
   * halves of a surrogate pair parses to the same UTF-16 units once joined.
   */
  private async longString(start: number, end: number): Promise<string> {
    const pieces: string[] = [];
    const close = end - 1;
    for (let from = start + 1; from < close;) {
      const to = this.escapeFreeCut(from, Math.min(close, from + this.limits.sliceChars));
      pieces.push(this.syntax.parse(`"${this.text.slice(from, to)}"`) as string);
      from = to;
      await this.pause();
    }
    return pieces.join('');
  }

  /** `cut`, or where the escape sequence it would fall inside starts (or ends, if that is `from`). */
  private escapeFreeCut(from: number, cut: number): number {
    // The backslash that opens an escape within the 5 characters before the cut (`\uXXXX` is the longest).
    for (let at = cut - 1; at >= Math.max(from, cut - 6); at--) {
      if (this.text.charCodeAt(at) !== BACKSLASH) continue;
      let run = 1;
      while (at - run >= from && this.text.charCodeAt(at - run) === BACKSLASH) run++;
      // `at` ends a run of backslashes: pairs are escaped backslashes; an odd one out opens an escape.
      if (run % 2 === 0) return cut;
      const end = at + (this.text.charCodeAt(at + 1) === LOWER_U ? 6 : 2);
      if (end <= cut) return cut;
      // Cut before the escape, or, when the piece would be empty (a slice shorter than an escape), after it.
      return at > from ? at : end;
    }
    return cut;
  }

  private async array(start: number, container: BigContainer): Promise<unknown[]> {
    const parts: unknown[][] = [];
    for (const [from, to, single] of this.runs(start, container)) {
      if (single && this.isSliced(from, to)) parts.push([await this.value(from, to)]);
      else parts.push(this.syntax.parse(`[${this.text.slice(from, to)}]`) as unknown[]);
      await this.pause();
    }
    // One copy at the end rather than one push per item.
    return parts.length === 1 ? parts[0] : ([] as unknown[]).concat(...parts);
  }

  private async object(start: number, container: BigContainer): Promise<Record<string, unknown>> {
    const members: Record<string, unknown> = {};
    for (const [from, to, single] of this.runs(start, container)) {
      const member = single ? this.bigMember(from, to) : undefined;
      if (member) {
        const value = await this.value(member.valueStart, to);
        // What the parser refuses in a run, refused here too: no prototype poisoning through a big member.
        if (member.key === '__proto__' || (member.key === 'constructor' && hasOwnPrototype(value))) {
          throw this.syntax.malformed();
        }
        members[member.key] = value;
      } else {
        Object.assign(members, this.syntax.parse(`{${this.text.slice(from, to)}}`));
      }
      await this.pause();
    }
    return members;
  }

  /** `"key": value` in [from, to) whose value is parsed in slices: its key and where the value starts. */
  private bigMember(from: number, to: number): { key: string; valueStart: number } | undefined {
    if (this.text.charCodeAt(from) !== QUOTE) return undefined;
    const keyEnd = closingQuote(this.text, from);
    const colon = this.skipBlank(keyEnd + 1);
    if (this.text.charCodeAt(colon) !== COLON) return undefined;
    const valueStart = this.skipBlank(colon + 1);
    if (valueStart >= to || !this.isSliced(valueStart, to)) return undefined;
    return { key: this.syntax.parse(this.text.slice(from, keyEnd + 1)) as string, valueStart };
  }

  /**
   * The container's children in runs of at most `sliceChars` (or one child, if longer), cut at its commas:
   * [from, to, single], trimmed, `single` when the run is one child. An empty child (`[1,,2]`, `[1,]`) that
   * falls alone in a run is malformed; inside a run, the parser refuses it.
   */
  private *runs(start: number, container: BigContainer): Generator<[number, number, boolean]> {
    const { commas, end } = container;
    // `[ ]` padded past the slice size is still an empty container.
    if (commas.length === 0 && this.skipBlank(start + 1) === end) return;
    // Child k lies between boundaries k and k + 1: the opening bracket, the commas, the closing bracket.
    const boundary = (k: number) => (k === 0 ? start : k <= commas.length ? commas[k - 1] : end);
    let first = 0;
    for (let k = 1; k <= commas.length; k++) {
      if (boundary(k + 1) - boundary(first) > this.limits.sliceChars) {
        yield this.trimmedRun(boundary(first), boundary(k), k - first === 1);
        first = k;
      }
    }
    yield this.trimmedRun(boundary(first), end, commas.length + 1 - first === 1);
  }

  private trimmedRun(separator: number, boundary: number, single: boolean): [number, number, boolean] {
    const from = this.skipBlank(separator + 1);
    const to = this.trimmedEnd(boundary);
    if (from >= to) throw this.syntax.malformed();
    return [from, to, single];
  }

  private skipBlank(offset: number): number {
    NOT_BLANK.lastIndex = offset;
    return NOT_BLANK.test(this.text) ? NOT_BLANK.lastIndex - 1 : this.text.length;
  }

  private trimmedEnd(offset: number): number {
    let end = offset;
    while (end > 0 && isBlank(this.text.charCodeAt(end - 1))) end--;
    return end;
  }

  private async pause(): Promise<void> {
    if (performance.now() - this.turnStarted >= this.limits.turnMs) await this.nextTurn();
  }

  private async nextTurn(): Promise<void> {
    await nextTurn();
    this.turnStarted = performance.now();
  }
}

function isBlank(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function hasOwnPrototype(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype');
}
