import { performance } from 'node:perf_hooks';
import { GatewayError } from '@app/common';
import { SseEvent, SseParser, sseEvents } from './sse-parser';

const STREAM =
  'event: message_start\r\ndata: {"a":1}\r\n\r\n' +
  ': keep-alive\n\n' +
  'data: {"text":"héllo ✓"}\n\n' +
  'data: line one\ndata: line two\n\n' +
  'data:no-space\r\rdata: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message_start', data: '{"a":1}' },
  { event: undefined, data: '{"text":"héllo ✓"}' },
  { event: undefined, data: 'line one\nline two' },
  { event: undefined, data: 'no-space' },
  { event: undefined, data: '[DONE]' },
];

/** A BOM, then one JSON event split over three `data:` lines with every line-ending style. */
const MULTI_LINE =
  '\uFEFFdata: {"choices":\r\nid: 7\r\ndata: [{"delta":\rdata: {"content":"ø"}}]}\n\ndata: [DONE]\r\n\r\n';
const MULTI_LINE_EXPECTED: SseEvent[] = [
  { event: undefined, data: '{"choices":\n[{"delta":\n{"content":"ø"}}]}' },
  { event: undefined, data: '[DONE]' },
];

function parseInPieces(bytes: Buffer, cuts: number[], parser = new SseParser()): SseEvent[] {
  const events: SseEvent[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(start, cut)));
    start = cut;
  }
  return events;
}

function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('SseParser', () => {
  const bytes = Buffer.from(STREAM, 'utf8');

  it('parses every line-ending style, comments, multi-line data and the [DONE] sentinel', () => {
    expect(parseInPieces(bytes, [])).toEqual(EXPECTED);
  });

  it('gives the same events however the bytes are split, inside UTF-8 characters and CRLF pairs too', () => {
    for (let cut = 1; cut < bytes.length; cut++) expect(parseInPieces(bytes, [cut])).toEqual(EXPECTED);
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const cuts = Array.from(
        { length: 1 + Math.floor(random() * 8) },
        () => 1 + Math.floor(random() * (bytes.length - 1)),
      );
      expect(
        parseInPieces(
          bytes,
          [...new Set(cuts)].sort((a, b) => a - b),
        ),
      ).toEqual(EXPECTED);
    }
  });

  it('joins a multi-line event and keeps an event behind a BOM, for every split into up to three pieces', () => {
    const multi = Buffer.from(MULTI_LINE, 'utf8');
    expect(parseInPieces(multi, [])).toEqual(MULTI_LINE_EXPECTED);
    for (let first = 1; first < multi.length; first++) {
      for (let second = first; second < multi.length; second++) {
        expect(parseInPieces(multi, [first, second])).toEqual(MULTI_LINE_EXPECTED);
      }
    }
  });

  it('skips one BOM at the very start only, whether it comes as bytes or as a decoded character', () => {
    expect(new SseParser().push('\uFEFFdata: first\n\n')).toEqual([{ event: undefined, data: 'first' }]);
    const parser = new SseParser();
    expect(parseInPieces(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('data: x\n\n')]), [1, 2], parser)).toEqual([
      { event: undefined, data: 'x' },
    ]);
    // Later, a BOM is part of the line: "\uFEFFdata" is an unknown field.
    expect(parser.push('\uFEFFdata: y\n\ndata: z\n\n')).toEqual([{ event: undefined, data: 'z' }]);
  });

  it('reads fields as the spec says: optional space, empty values, id/retry/unknown fields ignored', () => {
    const events = new SseParser().push(
      'event:\ndata\n\n' + // "data" without a colon: one empty data line; an empty event name is the default
        'retry: 10\nid: 42\nevent: delta\nfoo: bar\ndata:  two spaces\n\n' +
        'event: dropped\n\n' + // no data: no event, and the name does not leak into the next one
        'data: after\n\n',
    );
    expect(events).toEqual([
      { event: undefined, data: '' },
      { event: 'delta', data: ' two spaces' },
      { event: undefined, data: 'after' },
    ]);
  });

  it('drops a final event that never got its blank line, as the OpenAI SDK does', () => {
    expect(new SseParser().push('data: {"partial":true}\n')).toEqual([]);
  });

  describe('limits', () => {
    const limits = { maxEventBytes: 1024, providerId: 'up' };

    it('refuses a line over the limit as soon as it grows past it, before its end arrives', () => {
      const parser = new SseParser(limits);
      parser.push('data: ');
      parser.push('a'.repeat(1000));
      const error = failure(() => parser.push('a'.repeat(100)));
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ code: 'upstream_invalid_response' });
      expect((error as Error).message).toBe('Upstream "up" sent a server-sent event line over 1024 bytes.');
    });

    it('refuses a line over the limit that arrives whole in one chunk', () => {
      const error = failure(() => new SseParser(limits).push(`: ${'c'.repeat(2000)}\n`));
      expect(error).toMatchObject({ code: 'upstream_invalid_response' });
    });

    it('refuses an event whose data lines together pass the limit', () => {
      const parser = new SseParser(limits);
      const line = `data: ${'d'.repeat(99)}\n`; // 99 bytes of data, plus a joining \n from the second line on
      expect(parser.push(line.repeat(10))).toEqual([]);
      const error = failure(() => parser.push(line));
      expect((error as Error).message).toBe('Upstream "up" sent a server-sent event event over 1024 bytes.');
    });

    it('passes a line of exactly the limit, and the next event starts from zero', () => {
      const parser = new SseParser(limits);
      const data = 'e'.repeat(1024 - 6);
      expect(parser.push(`data: ${data}\n\n`)).toEqual([{ event: undefined, data }]);
      expect(parser.push(`data: ${data}\n\n`)).toEqual([{ event: undefined, data }]);
    });

    it('is what sseEvents reads a source with, and 8 MiB for a source that names none', async () => {
      async function* chunks() {
        yield Buffer.from(`data: ${'x'.repeat(2000)}`);
      }
      const read = async (source: AsyncIterable<Buffer>) => {
        for await (const _event of sseEvents(source)) throw new Error('no event expected');
      };
      await expect(read(Object.assign(chunks(), { sseOptions: limits }))).rejects.toThrow('Upstream "up"');
      await expect(read(chunks())).resolves.toBeUndefined();
      const large = async function* () {
        yield Buffer.from(`data: ${'x'.repeat(8 * 1024 * 1024)}`);
      };
      await expect(read(large())).rejects.toThrow('The upstream sent a server-sent event line over 8388608 bytes.');
    });
  });

  describe('time', () => {
    /** CPU microseconds used by this process so far: unlike wall time, not stretched when others take the CPU. */
    function cpuMicros(): number {
      const { user, system } = process.cpuUsage();
      return user + system;
    }

    /** CPU nanoseconds per byte to parse one `data:` line of `size` bytes fed in pieces of `piece` bytes (best of 5). */
    function nsPerByte(size: number, piece: number): number {
      const bytes = Buffer.alloc(piece, 'a');
      let best = Infinity;
      for (let round = 0; round < 5; round++) {
        const parser = new SseParser({ maxEventBytes: 64 * 1024 * 1024 });
        const started = performance.now();
        const cpuStarted = cpuMicros();
        parser.push('data: ');
        for (let sent = 0, pushes = 0; sent < size; sent += piece, pushes++) {
          parser.push(bytes);
          // A quadratic parser would take hours here: fail instead of hanging the run.
          if (pushes % 64 === 0 && performance.now() - started > 5_000) throw new Error('over 5 s for one line');
        }
        const [event] = parser.push('\n\n');
        best = Math.min(best, cpuMicros() - cpuStarted);
        expect(event.data.length).toBe(Math.ceil(size / piece) * piece);
      }
      return (best * 1e3) / size;
    }

    // Linear time means the cost per byte does not grow with the line: parsing that rescans or re-joins
    // what it buffered costs 16× as much per byte for a 16× longer line. The bound leaves room for what a
    // busy machine and larger buffers add to a linear parser (up to ~4.6× seen in CI), far from 16×.
    it('parses a long line fed 16 KiB at a time in linear time', () => {
      const small = nsPerByte(1024 * 1024, 16 * 1024);
      const large = nsPerByte(16 * 1024 * 1024, 16 * 1024);
      expect(large / small).toBeLessThan(8);
    });

    it('parses a long line fed 1 byte at a time in linear time', () => {
      const small = nsPerByte(32 * 1024, 1);
      const large = nsPerByte(512 * 1024, 1);
      expect(large / small).toBeLessThan(8);
    });
  });
});
