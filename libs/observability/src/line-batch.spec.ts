import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LineBatch, LineSink } from './line-batch';

/** A sink that remembers each write it was handed. */
function recordingSink(): LineSink & { writes: string[]; flushes: number } {
  const sink = {
    writes: [] as string[],
    flushes: 0,
    write: (text: string) => sink.writes.push(text),
    flush: (callback?: (error?: Error) => void) => {
      sink.flushes++;
      callback?.();
    },
    flushSync: () => undefined,
  };
  return sink;
}

const line = (n: number) => `{"n":${n},"msg":"${'x'.repeat(90)}"}\n`;

describe('LineBatch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands lines over in writes of at least minLength characters, in order', () => {
    const sink = recordingSink();
    const batch = new LineBatch(-1, 400, 200, sink);
    for (let n = 0; n < 10; n++) batch.write(line(n));
    // 100 characters a line: every fourth line completes a write.
    expect(sink.writes).toEqual([0, 4].map((first) => [0, 1, 2, 3].map((i) => line(first + i)).join('')));
    batch.close();
    expect(sink.writes.join('')).toBe(Array.from({ length: 10 }, (_, n) => line(n)).join(''));
  });

  it('writes what it holds every interval, so a quiet gateway’s lines do not wait', () => {
    const sink = recordingSink();
    const batch = new LineBatch(-1, 4_096, 200, sink);
    batch.write(line(1));
    expect(sink.writes).toEqual([]);
    jest.advanceTimersByTime(200);
    expect(sink.writes).toEqual([line(1)]);
    batch.close();
  });

  it('flushes the sink with what it holds when pino flushes, and on close', () => {
    const sink = recordingSink();
    const batch = new LineBatch(-1, 4_096, 200, sink);
    batch.write(line(1));
    const flushed = jest.fn();
    batch.flush(flushed);
    expect(sink.writes).toEqual([line(1)]);
    expect(flushed).toHaveBeenCalled();
    batch.write(line(2));
    batch.close();
    expect(sink.writes).toEqual([line(1), line(2)]);
    expect(sink.flushes).toBe(2);
  });

  it('reaches its file through pino’s asynchronous destination, all of it once the destination has ended', async () => {
    jest.useRealTimers();
    const file = join(mkdtempSync(join(tmpdir(), 'line-batch-')), 'out.log');
    const fd = openSync(file, 'w');
    const destination = pino.destination({ dest: fd, sync: false });
    const batch = new LineBatch(fd, 4_096, 200, destination);
    batch.write(line(1));
    batch.write(line(2));
    batch.close();
    // Ending waits for the write under way, then closes the file.
    await new Promise((resolve) => {
      destination.once('close', resolve);
      destination.end();
    });
    expect(readFileSync(file, 'utf8')).toBe(line(1) + line(2));
  });
});
