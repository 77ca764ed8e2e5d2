import { SseEvent, SseParser } from './sse-parser';

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

function parseInPieces(bytes: Buffer, cuts: number[]): SseEvent[] {
  const parser = new SseParser();
  const events: SseEvent[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(start, cut)));
    start = cut;
  }
  return events;
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

  it('drops a final event that never got its blank line, as the OpenAI SDK does', () => {
    expect(new SseParser().push('data: {"partial":true}\n')).toEqual([]);
  });
});
