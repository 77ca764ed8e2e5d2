/** Beyond this, a buffer left by a long line is let go rather than kept for the stream's next lines. */
const KEEP_CAPACITY = 64 * 1024;

/**
 * The bytes of one line that spans chunks. It grows by doubling, so appending n bytes in any number of
 * pieces copies each byte at most a few times (linear time, where concatenating per piece is quadratic),
 * and holds at most twice what it was given, whatever the pieces' sizes — and never more than `maxBytes`,
 * the longest line its owner accepts (an 8 MiB line never costs a 16 MiB buffer).
 */
export class LineBuffer {
  private buffer: Buffer = Buffer.alloc(0);
  private used = 0;

  constructor(private readonly maxBytes = Infinity) {}

  get length(): number {
    return this.used;
  }

  /** The buffered bytes are `bytes[0, length)`; valid until the next append or clear. */
  get bytes(): Buffer {
    return this.buffer;
  }

  append(source: Buffer, start: number, end: number): void {
    const needed = this.used + end - start;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(2 * this.buffer.length, this.maxBytes), 256));
      this.buffer.copy(grown, 0, 0, this.used);
      this.buffer = grown;
    }
    source.copy(this.buffer, this.used, start, end);
    this.used = needed;
  }

  clear(): void {
    this.used = 0;
    if (this.buffer.length > KEEP_CAPACITY) this.buffer = Buffer.alloc(0);
  }
}
