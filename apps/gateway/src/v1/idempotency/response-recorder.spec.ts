import { createServer, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RecordedResponse, ResponseRecorder } from './response-recorder';

/** Serves one request with `write` on a real socket, recording the response; returns the client's view and the record. */
async function served(
  maxBytes: number,
  write: (response: ServerResponse) => void,
): Promise<{ received: string; recorded: RecordedResponse }> {
  let recorded!: Promise<RecordedResponse>;
  const server = createServer((_request, response) => {
    const recorder = new ResponseRecorder(response, maxBytes);
    recorded = new Promise((resolve) => response.once('finish', () => resolve(recorder.recorded())));
    write(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const received = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    return { received, recorded: await recorded };
  } finally {
    server.close();
  }
}

describe('ResponseRecorder', () => {
  it('keeps the status, the replayed headers and the bytes as written, in order', async () => {
    const { received, recorded } = await served(1024, (response) => {
      response.setHeader('x-request-id', 'req-1');
      response.writeHead(201, {
        'Content-Type': 'text/event-stream',
        'x-switchyard-model': 'm',
        'cache-control': 'no-cache',
      });
      response.write('data: 1\n\n');
      response.write(Buffer.from('data: é\n\n'));
      response.end('data: [DONE]\n\n');
    });
    expect(recorded).toEqual({
      status: 201,
      headers: { 'content-type': 'text/event-stream', 'x-switchyard-model': 'm' },
      body: Buffer.from(received),
    });
    expect(received).toBe('data: 1\n\ndata: é\n\ndata: [DONE]\n\n');
  });

  it('past the bound keeps no body, and the client still gets all of it', async () => {
    const { received, recorded } = await served(10, (response) => {
      response.write('0123456789');
      response.end('more');
    });
    expect(received).toBe('0123456789more');
    expect(recorded.body).toBeNull();
  });
});
