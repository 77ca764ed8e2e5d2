import { CompletedRequest } from '@app/common';
import { exportChunks } from './record-export';
import { RECORD_COLUMNS, requestRecordFrom } from './request-record';

const record = {
  ...requestRecordFrom({
    context: {
      requestId: 'req_1',
      api: 'chat',
      receivedAt: Date.parse('2025-01-01T00:00:00Z'),
      costMicroUsd: 5,
      tags: { team: 'a,b' },
    },
    method: 'POST',
    endpoint: '/v1/chat/completions',
    status: 200,
    clientAborted: false,
    stream: true,
    endedAt: Date.parse('2025-01-01T00:00:01Z'),
    clientIp: '127.0.0.1',
    userAgent: '=HYPERLINK("http://evil")',
    endUser: 'said "hi"\nthen left',
  } satisfies CompletedRequest),
};

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

async function* batches() {
  yield [record];
  yield [record, record];
}

describe('exportChunks', () => {
  it('writes CSV with a header, RFC 4180 quoting, JSON for nested values and defused formulas', async () => {
    // Records end in CRLF; a bare LF inside a quoted cell stays part of its record.
    const lines = (await collect(exportChunks('csv', batches()))).split('\r\n');
    expect(lines[0]).toBe(RECORD_COLUMNS.map(([name]) => name).join(','));
    expect(lines).toHaveLength(5); // header, three records, and the empty string after the last CRLF
    expect(lines[1]).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    expect(lines[1]).toContain(',"{""team"":""a,b""}"');
    expect(lines[1]).toContain(',"said ""hi""\nthen left",');
    expect(lines[1]).toContain(',/v1/chat/completions,chat,true,');
    expect(lines[1]).toContain(',5,');
  });

  it('writes JSON Lines, one record per line', async () => {
    const lines = (await collect(exportChunks('jsonl', batches()))).trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2])).toEqual(record);
  });
});
