import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';

/** Bytes on disk shared by every spill file of one directory, against one limit. */
export interface SpillQuota {
  usedBytes: number;
  readonly maxBytes: number;
}

/** The oldest spilled segment's rows; `remove()` once they are all in the database. */
export interface SpilledSegment<T> {
  rows: T[];
  remove(): void;
}

interface Segment {
  path: string;
  rows: number;
  bytes: number;
}

/**
 * Rows of one kind (request records, ledger entries) that must reach the database but did not fit in
 * memory while it was unreachable, kept on local disk until they are written, as JSON lines that keep
 * bigints and dates (money and times come back as they went). Each `write` is one segment file; segments
 * are read back oldest first and deleted once the database has all their rows, so a crash between the
 * insert and the delete replays a segment the database already holds, which its unique keys turn away.
 * Segments a stopped process left behind are taken over at start (renamed, so two processes never replay
 * the same file) and replayed like this process's own.
 */
export class SpillFile<T> {
  private readonly logger = new Logger('SpillFile');
  private readonly segments: Segment[] = [];
  /** Names this process's segments, so that files of two processes (or two gateways in one) never collide. */
  private readonly owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private sequence = 0;
  private rowCount = 0;

  constructor(
    private readonly dir: string,
    private readonly kind: string,
    private readonly quota: SpillQuota,
  ) {
    this.adoptLeftovers();
  }

  /** Rows on disk waiting for the database. */
  get rows(): number {
    return this.rowCount;
  }

  /**
   * Appends `rows` as one segment; false (nothing kept) when they would pass the directory's size limit or
   * the disk refuses them. Synchronous: it runs only past a full memory buffer, where the rows would
   * otherwise be lost, and one segment is one system call.
   */
  write(rows: readonly T[]): boolean {
    if (rows.length === 0) return true;
    const text = rows.map((row) => JSON.stringify(row, keepTypes)).join('\n') + '\n';
    const bytes = Buffer.byteLength(text);
    if (this.quota.usedBytes + bytes > this.quota.maxBytes) return false;
    const path = join(this.dir, `${this.kind}-${this.owner}-${String(this.sequence++).padStart(8, '0')}.jsonl`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      appendFileSync(path, text, { mode: 0o600 });
    } catch (error) {
      this.logger.error({ path, error: (error as Error).message }, 'could not spill rows to disk');
      return false;
    }
    this.add({ path, rows: rows.length, bytes });
    return true;
  }

  /** The oldest segment, read from disk (again, if an earlier attempt to write it to the database failed). */
  oldest(): SpilledSegment<T> | undefined {
    const segment = this.segments[0];
    if (!segment) return undefined;
    const rows: T[] = [];
    let unreadable = 0;
    let text = '';
    try {
      text = readFileSync(segment.path, 'utf8');
    } catch (error) {
      this.logger.error({ path: segment.path, error: (error as Error).message }, 'a spilled segment is unreadable');
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        rows.push(JSON.parse(line, restoreTypes) as T);
      } catch {
        unreadable++; // a line cut short by a crash mid-write
      }
    }
    if (unreadable > 0) this.logger.error({ path: segment.path, unreadable }, 'spilled rows could not be read back');
    return { rows, remove: () => this.remove(segment) };
  }

  private remove(segment: Segment): void {
    const index = this.segments.indexOf(segment);
    if (index < 0) return;
    this.segments.splice(index, 1);
    this.rowCount -= segment.rows;
    this.quota.usedBytes -= segment.bytes;
    try {
      unlinkSync(segment.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  private add(segment: Segment): void {
    this.segments.push(segment);
    this.rowCount += segment.rows;
    this.quota.usedBytes += segment.bytes;
  }

  private adoptLeftovers(): void {
    if (!existsSync(this.dir)) return;
    const leftovers = readdirSync(this.dir)
      .filter((name) => name.startsWith(`${this.kind}-`) && name.endsWith('.jsonl'))
      .sort();
    for (const name of leftovers) {
      const path = join(this.dir, `${this.kind}-${this.owner}-${String(this.sequence++).padStart(8, '0')}.jsonl`);
      try {
        renameSync(join(this.dir, name), path);
        const text = readFileSync(path, 'utf8');
        this.add({ path, rows: text.split('\n').filter(Boolean).length, bytes: statSync(path).size });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error; // another process took it first
      }
    }
    if (this.rowCount > 0) {
      this.logger.warn(
        { kind: this.kind, rows: this.rowCount, dir: this.dir },
        'rows spilled by an earlier run will be written to the database',
      );
    }
  }
}

const TAGS = new Set(['$date', '$bigint', '$literal']);

/** An object of one key that is a tag: it would read back as the tagged type, so it is written as a literal. */
function looksTagged(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && TAGS.has(keys[0]);
}

/** JSON.stringify replacer: bigints and dates as tagged objects (`this[key]` is the value before `toJSON`). */
function keepTypes(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { $date: raw.toISOString() };
  if (typeof raw === 'bigint') return { $bigint: raw.toString() };
  if (looksTagged(raw)) return { $literal: Object.entries(raw)[0] };
  return value;
}

/** JSON.parse reviver: the inverse of `keepTypes`. */
function restoreTypes(_key: string, value: unknown): unknown {
  if (!looksTagged(value)) return value;
  if (typeof value.$date === 'string') return new Date(value.$date);
  if (typeof value.$bigint === 'string') return BigInt(value.$bigint);
  if (Array.isArray(value.$literal)) return Object.fromEntries([value.$literal as [string, unknown]]);
  return value;
}
