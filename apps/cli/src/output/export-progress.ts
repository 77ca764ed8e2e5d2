import { Transform, TransformCallback } from 'node:stream';
import type { CliIo } from '../cli-io';

const TICK_MS = 250;
const MB = 1024 * 1024;

/**
 * Passes an export through unchanged while counting its bytes and rows, and reports them on stderr: a
 * live line on a terminal, a summary at the end in any case. Rows are counted at line ends outside CSV
 * quotes (a quoted upstream message may span lines); JSON Lines has no raw newlines inside a record.
 */
export class ExportProgress extends Transform {
  private bytes = 0;
  private lineEnds = 0;
  private inQuotes = false;
  private lastTick = 0;

  constructor(
    private readonly io: CliIo,
    private readonly format: 'csv' | 'jsonl',
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (byte === 0x22 && this.format === 'csv') this.inQuotes = !this.inQuotes;
      else if (byte === 0x0a && !this.inQuotes) this.lineEnds++;
    }
    if (this.io.stderrIsTty && Date.now() - this.lastTick >= TICK_MS) {
      this.lastTick = Date.now();
      this.io.stderr.write(`\r${this.summary()}`);
    }
    done(null, chunk);
  }

  /** The last line: rows and size, whatever stderr is. */
  finish(): void {
    this.io.stderr.write(`${this.io.stderrIsTty ? '\r' : ''}${this.summary()}, done\n`);
  }

  /** Rows exported so far: the CSV header line is not a row. */
  get rows(): number {
    return Math.max(0, this.format === 'csv' ? this.lineEnds - 1 : this.lineEnds);
  }

  private summary(): string {
    return `exported ${this.rows.toLocaleString('en-US')} rows, ${(this.bytes / MB).toFixed(1)} MB`;
  }
}
