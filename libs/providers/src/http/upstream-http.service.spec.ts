import { getEventListeners } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTcpServer, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { GatewayError } from '@app/common';
import type { UpstreamCallContext } from '../provider.types';
import { providersConfig } from '../providers.config';
import { sseEvents } from '../sse/sse-parser';
import { createAgents, UpstreamAgents } from './upstream-agents';
import { UpstreamHttpService, UpstreamRequest, UpstreamResponse } from './upstream-http.service';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => unknown;

/** A scriptable upstream that records what it received and when its clients hung up. */
class Upstream {
  handler: Handler = (_request, _body, response) => response.end('{}');
  readonly received: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  /** Connections closed by the client before their response finished. */
  hangUps = 0;
  connections = 0;
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      this.received.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      response.on('close', () => {
        if (!response.writableFinished) this.hangUps++;
      });
      void this.handler(request, body, response);
    });
  });
  private readonly sockets = new Set<Socket>();
  url = '';

  async start(): Promise<void> {
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const service = new UpstreamHttpService(providersConfig());

function context(overrides: Partial<UpstreamCallContext> = {}): UpstreamCallContext {
  return {
    requestId: 'req_http',
    signal: new AbortController().signal,
    connectMs: 1_000,
    ttfbMs: 1_000,
    idleMs: 1_000,
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

async function waitFor(condition: () => boolean, ms = 1_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

async function chunksOf(response: UpstreamResponse): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of response.body) chunks.push(chunk.toString('utf8'));
  return chunks;
}

describe('UpstreamHttpService', () => {
  const upstream = new Upstream();
  let agents: UpstreamAgents;

  function send(overrides: Partial<UpstreamRequest> = {}): Promise<UpstreamResponse> {
    return service.send({
      providerId: 'up',
      url: `${upstream.url}/v1/chat?x=1`,
      headers: { 'content-type': 'application/json', Authorization: 'Bearer sk-test' },
      body: '{"q":"ø"}',
      agents,
      context: context(),
      ...overrides,
    });
  }

  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());
  beforeEach(() => {
    agents = createAgents({ connectTimeoutMs: 1_000, maxSockets: 10 });
    upstream.handler = (_request, _body, response) => response.end('{}');
    upstream.received.length = 0;
    upstream.hangUps = 0;
    upstream.connections = 0;
  });
  afterEach(() => {
    agents.http.destroy();
    agents.https.destroy();
  });

  describe('a call that is answered', () => {
    it('sends method, path, headers and the body as given, with its length', async () => {
      const response = await send();
      await response.text();
      expect(upstream.received).toEqual([
        {
          method: 'POST',
          url: '/v1/chat?x=1',
          headers: expect.objectContaining({
            'content-type': 'application/json',
            authorization: 'Bearer sk-test',
            'content-length': '10',
          }),
          body: '{"q":"ø"}',
        },
      ]);
      expect(upstream.received[0].headers).not.toHaveProperty('transfer-encoding');
      expect(upstream.received[0].headers).not.toHaveProperty('accept-encoding');
    });

    it('writes a long body (in pieces of 1 Mi characters) whole, with its length, never splitting a surrogate pair', async () => {
      // 'x' first: the pairs start at odd offsets, so a piece boundary falls inside one.
      const body = `x${'😀'.repeat(600_000)}`;
      await (await send({ body })).text();
      expect(upstream.received[0].body === body).toBe(true);
      expect(upstream.received[0].headers['content-length']).toBe(String(Buffer.byteLength(body)));
      expect(upstream.received[0].headers).not.toHaveProperty('transfer-encoding');
    });

    it('answers any status with its headers in lower case, and reads the whole body as text', async () => {
      upstream.handler = async (_request, _body, response) => {
        response.writeHead(429, { 'Retry-After': '7', 'X-Mixed-Case': 'yes' });
        response.write(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3])); // '{"a":"' and half of 'ø'
        await sleep(20);
        response.end(Buffer.from([0xb8, 0x22, 0x7d]));
      };
      const response = await send();
      expect(response.status).toBe(429);
      expect(response.headers['retry-after']).toBe('7');
      expect(response.headers['x-mixed-case']).toBe('yes');
      expect(await response.text()).toBe('{"a":"ø"}');
    });

    it('reuses the keep-alive connection for the next call', async () => {
      for (let i = 0; i < 3; i++) await (await send()).text();
      expect(upstream.received).toHaveLength(3);
      expect(upstream.connections).toBe(1);
    });

    it('sends a GET without a body', async () => {
      await (await send({ method: 'GET', body: undefined })).text();
      expect(upstream.received[0]).toMatchObject({ method: 'GET', body: '' });
      expect(upstream.received[0].headers).not.toHaveProperty('content-length');
    });

    it('streams the body one chunk per upstream write, as the writes arrive', async () => {
      upstream.handler = async (_request, _body, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (const event of ['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']) {
          response.write(event);
          await sleep(30);
        }
        response.end();
      };
      expect(await chunksOf(await send())).toEqual(['data: 1\n\n', 'data: 2\n\n', 'data: 3\n\n']);
    });

    it('decodes a body the upstream compressed anyway', async () => {
      upstream.handler = (_request, _body, response) => {
        response.writeHead(200, { 'content-encoding': 'gzip' });
        response.end(gzipSync('{"zipped":true}'));
      };
      expect(await (await send()).text()).toBe('{"zipped":true}');
    });

    it('leaves no abort listener and no timer behind', async () => {
      const controller = new AbortController();
      const response = await send({ context: context({ signal: controller.signal, idleMs: 50 }) });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      await response.text();
      await sleep(0);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      await sleep(100); // an idle timer left running would destroy a finished body: nothing to see, but no throw either
    });
  });

  describe('timeouts', () => {
    it('fails with upstream_timeout when no headers come within ttfbMs, and hangs up', async () => {
      upstream.handler = async (_request, _body, response) => {
        await sleep(500);
        response.end('{}');
      };
      const startedAt = Date.now();
      const error = await failure(send({ context: context({ ttfbMs: 80 }) }));
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({
        code: 'upstream_timeout',
        message: 'Upstream "up" sent no response within 80 ms.',
      });
      expect(Date.now() - startedAt).toBeLessThan(400);
      await waitFor(() => upstream.hangUps === 1);
    });

    it('counts ttfbMs from the call, also while the call waits for a free socket', async () => {
      const single = createAgents({ connectTimeoutMs: 1_000, maxSockets: 1 });
      try {
        upstream.handler = async (_request, _body, response) => {
          await sleep(400);
          response.end('{}');
        };
        const first = send({ agents: single, context: context({ ttfbMs: 2_000 }) });
        const startedAt = Date.now();
        const error = await failure(send({ agents: single, context: context({ ttfbMs: 80 }) }));
        expect(error).toMatchObject({ code: 'upstream_timeout' });
        expect(Date.now() - startedAt).toBeLessThan(300);
        await (await first).text();
        expect(upstream.received).toHaveLength(1);
      } finally {
        single.http.destroy();
      }
    });

    it.each([
      ['text()', (response: UpstreamResponse) => response.text()],
      ['iteration', chunksOf],
    ])('fails %s with upstream_timeout when the body goes silent for idleMs, and hangs up', async (_name, read) => {
      upstream.handler = (_request, _body, response) => {
        response.writeHead(200);
        response.write('{"partial":');
      };
      const response = await send({ context: context({ idleMs: 80 }) });
      const error = await failure(read(response));
      expect(error).toMatchObject({
        code: 'upstream_timeout',
        message: 'Upstream "up" went silent for 80 ms mid-response.',
      });
      await waitFor(() => upstream.hangUps === 1);
    });

    it('keeps a body alive while data keeps coming, however long it takes in total', async () => {
      upstream.handler = async (_request, _body, response) => {
        response.writeHead(200);
        for (let i = 0; i < 10; i++) {
          response.write(`${i}`);
          await sleep(40);
        }
        response.end();
      };
      // 400 ms in all against an idle limit of 300 ms: gaps of 40 ms, with room for a loaded machine's delays.
      expect(await (await send({ context: context({ idleMs: 300 }) })).text()).toBe('0123456789');
    });

    it('fails with upstream_timeout when a new connection cannot be set up within connectMs', async () => {
      // A TCP server that accepts and then says nothing: the TLS handshake never completes.
      const accepted: Socket[] = [];
      const silent = createTcpServer((socket) => accepted.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const slow = createAgents({ connectTimeoutMs: 80, maxSockets: 1 });
      try {
        const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/v1/chat`;
        const error = await failure(send({ url, agents: slow, context: context({ ttfbMs: 2_000 }) }));
        expect(error).toMatchObject({
          code: 'upstream_timeout',
          message: 'Could not connect to upstream "up" in time.',
        });
      } finally {
        slow.https.destroy();
        for (const socket of accepted) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });

  describe('client aborts', () => {
    it('rethrows the abort reason of an already aborted call without calling the upstream', async () => {
      const reason = new Error('gone');
      const error = await failure(send({ context: context({ signal: AbortSignal.abort(reason) }) }));
      expect(error).toBe(reason);
      expect(upstream.received).toHaveLength(0);
    });

    it('rethrows the abort reason while waiting for headers, at once, and hangs up', async () => {
      upstream.handler = async (_request, _body, response) => {
        await sleep(500);
        response.end('{}');
      };
      const controller = new AbortController();
      const reason = new Error('client went away');
      const pending = failure(send({ context: context({ signal: controller.signal }) }));
      await waitFor(() => upstream.received.length === 1);
      const abortedAt = Date.now();
      controller.abort(reason);
      expect(await pending).toBe(reason);
      expect(Date.now() - abortedAt).toBeLessThan(50);
      await waitFor(() => upstream.hangUps === 1);
    });

    it.each([
      ['text()', (response: UpstreamResponse) => response.text()],
      ['iteration', chunksOf],
    ])('rethrows the abort reason from %s mid-body, and hangs up', async (_name, read) => {
      upstream.handler = (_request, _body, response) => {
        response.writeHead(200);
        response.write('data: 1\n\n');
      };
      const controller = new AbortController();
      const reason = new Error('client went away');
      const response = await send({ context: context({ signal: controller.signal }) });
      const reading = failure(read(response));
      await sleep(20);
      controller.abort(reason);
      expect(await reading).toBe(reason);
      await waitFor(() => upstream.hangUps === 1);
    });
  });

  describe('transport failures', () => {
    it('maps a refused connection to upstream_connection_error with the code', async () => {
      const closed = createTcpServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const error = await failure(send({ url: `http://127.0.0.1:${port}/v1/chat` }));
      expect(error).toMatchObject({
        code: 'upstream_connection_error',
        message: 'Could not reach upstream "up": ECONNREFUSED.',
      });
      expect((error as GatewayError).options.upstreamMessage).toBe('ECONNREFUSED');
    });

    it('maps a connection the upstream closes before answering to upstream_connection_error, not marked unsent', async () => {
      upstream.handler = (_request, _body, response) => response.socket!.destroy();
      const error = await failure(send());
      expect(error).toMatchObject({
        code: 'upstream_connection_error',
        message: 'Could not reach upstream "up": other side closed.',
      });
      // The request left: retrying it elsewhere could run it twice.
      expect((error as GatewayError).options.notSent).toBeUndefined();
    });

    it('fails a URL of another scheme with upstream_connection_error without a connection', async () => {
      const error = await failure(send({ url: 'ftp://127.0.0.1/v1/chat' }));
      expect(error).toMatchObject({
        code: 'upstream_connection_error',
        message: 'Could not reach upstream "up": Unsupported protocol ftp:.',
      });
      expect(upstream.connections).toBe(0);
    });

    it.each([
      ['text()', (response: UpstreamResponse) => response.text()],
      ['iteration', chunksOf],
    ])('fails %s with upstream_connection_error when the connection drops mid-body', async (_name, read) => {
      upstream.handler = async (_request, _body, response) => {
        response.writeHead(200);
        response.write('data: 1\n\n');
        await sleep(20);
        response.socket!.destroy();
      };
      const error = await failure(read(await send()));
      expect(error).toMatchObject({
        code: 'upstream_connection_error',
        message: 'Upstream "up" dropped the connection mid-response.',
      });
    });
  });

  describe('reading bodies', () => {
    it('refuses a body over the limit with upstream_invalid_response, and drops the connection', async () => {
      upstream.handler = (_request, _body, response) => {
        response.writeHead(200);
        response.write('x'.repeat(600));
        response.write('y'.repeat(600));
      };
      const error = await failure((await send()).text(1_000));
      expect(error).toMatchObject({
        code: 'upstream_invalid_response',
        message: 'Upstream response exceeded 1000 bytes.',
      });
      await waitFor(() => upstream.hangUps === 1);
    });

    it('releases the connection when a stream is stopped early', async () => {
      upstream.handler = async (_request, _body, response) => {
        response.writeHead(200);
        for (let i = 0; i < 20 && !response.destroyed; i++) {
          response.write(`data: ${i}\n\n`);
          await sleep(20);
        }
        response.end();
      };
      const response = await send();
      for await (const chunk of response.body) {
        expect(chunk.toString()).toBe('data: 0\n\n');
        break;
      }
      await waitFor(() => upstream.hangUps === 1);
    });
  });

  describe('bounds from the providers settings', () => {
    const MiB = 1024 * 1024;
    const bounded = new UpstreamHttpService({
      sseMaxEventBytes: 64 * 1024,
      maxDecompressedBytes: MiB,
      maxAnswerBytes: MiB / 2,
    });
    /** 16 MiB of zeros in ~16 KiB of gzip. */
    const bomb = gzipSync(Buffer.alloc(16 * MiB));
    const sendBounded = () =>
      bounded.send({ providerId: 'up', url: `${upstream.url}/v1/chat`, headers: {}, agents, context: context() });
    const inflatesPast = 'Upstream "up" sent a compressed body that inflates past 1048576 bytes.';

    // The upstream keeps the response open after the bomb, so a hang-up is the gateway's doing.
    const sendsBomb = (contentType: string) => (_request: IncomingMessage, _body: string, response: ServerResponse) => {
      response.writeHead(200, { 'content-type': contentType, 'content-encoding': 'gzip' });
      response.write(bomb);
    };

    it('holds a completion to the answer cap and hangs up past it; other bodies to the reader limit', async () => {
      // Uncompressed and never ending: only a reader's limit can stop it.
      upstream.handler = (_request, _body, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(Buffer.alloc(MiB, ' '));
      };
      const answer = await sendBounded();
      expect(answer.answerLimitBytes).toBe(MiB / 2);
      const error = await failure(answer.text(answer.answerLimitBytes));
      expect(error).toMatchObject({
        code: 'upstream_invalid_response',
        message: 'Upstream response exceeded 524288 bytes.',
      });
      await waitFor(() => upstream.hangUps === 1);
      upstream.handler = (_request, _body, response) => response.end(' '.repeat(MiB));
      expect(await (await sendBounded()).text()).toHaveLength(MiB);
    });

    it('stops inflating a gzip-bombed body at the cap, fails with upstream_invalid_response and hangs up', async () => {
      upstream.handler = sendsBomb('application/json');
      const error = await failure((await sendBounded()).text());
      expect(error).toMatchObject({ code: 'upstream_invalid_response', message: inflatesPast });
      await waitFor(() => upstream.hangUps === 1);
    });

    it('stops inflating a gzip-bombed stream at the cap, having delivered no more than the cap', async () => {
      upstream.handler = sendsBomb('text/event-stream');
      let delivered = 0;
      const error = await failure(
        (async () => {
          for await (const chunk of (await sendBounded()).body) delivered += chunk.length;
        })(),
      );
      expect(error).toMatchObject({ code: 'upstream_invalid_response', message: inflatesPast });
      expect(delivered).toBeLessThanOrEqual(MiB);
      await waitFor(() => upstream.hangUps === 1);
    });

    it('holds server-sent events to the event size limit', async () => {
      upstream.handler = (_request, _body, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write(`data: {"ok":true}\n\ndata: ${'x'.repeat(100 * 1024)}`);
      };
      const events: string[] = [];
      const error = await failure(
        (async () => {
          for await (const event of sseEvents((await sendBounded()).body)) events.push(event.data);
        })(),
      );
      expect(events).toEqual(['{"ok":true}']);
      expect(error).toMatchObject({
        code: 'upstream_invalid_response',
        message: 'Upstream "up" sent a server-sent event line over 65536 bytes.',
      });
      await waitFor(() => upstream.hangUps === 1);
    });
  });
});
