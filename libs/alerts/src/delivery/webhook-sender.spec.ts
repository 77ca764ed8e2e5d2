import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { createHmac } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertPayload } from '../alert';
import { alertsConfig } from '../alerts.config';
import { WEBHOOK_CLIENT_DEFAULTS, WebhookSender } from './webhook-sender';

const SECRET = 'whsec-sender-spec-0123456789';
const NOW = new Date('2026-12-05T04:00:00Z');
const PAYLOAD: AlertPayload = {
  id: '0d0c0b0a-0000-4000-8000-000000000001',
  kind: 'new_ip',
  created_at: NOW.toISOString(),
  subject: { type: 'key', id: '0d0c0b0a-0000-4000-8000-000000000002' },
  details: { ip: '192.0.2.1', note: 'ø' },
};

describe('WebhookSender', () => {
  let handler: (request: IncomingMessage, response: ServerResponse) => void;
  const received: { method: string; headers: IncomingMessage['headers']; raw: string }[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ method: request.method!, headers: request.headers, raw: Buffer.concat(chunks).toString() });
      handler(request, response);
    });
  });
  let url = '';
  // As AlertsModule builds it: the injected @nestjs/axios client with the webhook defaults.
  const sender = new WebhookSender(new HttpService(axios.create(WEBHOOK_CLIENT_DEFAULTS)), {
    ...alertsConfig(),
    timeoutMs: 300,
  });
  const send = (to = url) => sender.send({ url: to, secret: SECRET }, PAYLOAD, NOW);

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received.length = 0;
    handler = (_request, response) => response.end('ok');
  });

  it('POSTs the payload as JSON, signed over exactly the bytes sent, and takes a 2xx as delivered', async () => {
    expect(await send()).toEqual({ delivered: true });
    const [{ method, headers, raw }] = received;
    expect(method).toBe('POST');
    expect(JSON.parse(raw)).toEqual(PAYLOAD);
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'Switchyard-Alerts/1' });
    const t = Math.floor(NOW.getTime() / 1000);
    const v1 = createHmac('sha256', SECRET).update(`${t}.${raw}`).digest('hex');
    expect(headers['x-switchyard-signature']).toBe(`t=${t},v1=${v1}`);
  });

  it('reports another status by its number, and does not follow a redirect', async () => {
    handler = (_request, response) => response.writeHead(307, { location: `${url}/elsewhere` }).end();
    expect(await send()).toEqual({ delivered: false, error: 'HTTP 307' });
    expect(received).toHaveLength(1);
    handler = (_request, response) => response.writeHead(500).end('x'.repeat(100_000));
    expect(await send()).toEqual({ delivered: false, error: 'HTTP 500' });
  });

  it('gives up after the time limit with "timeout" when the receiver does not answer', async () => {
    handler = () => undefined; // never answers
    expect(await send()).toEqual({ delivered: false, error: 'timeout' });
  });

  it('reports a refused connection by its code, never with the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await send(`http://127.0.0.1:${port}/hooks?token=secret`)).toEqual({
      delivered: false,
      error: 'ECONNREFUSED',
    });
  });
});
