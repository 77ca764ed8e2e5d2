import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** An alert as the receiver took it: the parsed body and what the signature check said. */
export interface ReceivedAlert {
  id: string;
  kind: string;
  created_at: string;
  subject: { type: string; id: string };
  details: Record<string, unknown>;
}

/**
 * Verifies `x-switchyard-signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` as a
 * receiver would, written from the documented scheme (not from the gateway's code): the timestamp within
 * `toleranceS` of now, and a constant-time comparison.
 */
export function verifySignature(
  header: string | undefined,
  rawBody: string,
  secret: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = 300,
): boolean {
  const parts = new Map((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || Math.abs(nowS - t) > toleranceS || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}

/**
 * A webhook receiver on a real socket: checks each delivery's signature (401 when it fails), de-duplicates
 * by the alert's id (a repeat is answered 200 and not kept twice), and can go down (its port closed:
 * connection refused) and come back on the same port.
 */
export class FakeWebhookReceiver {
  /** Every accepted alert, once per id, in arrival order. */
  readonly alerts: ReceivedAlert[] = [];
  /** Every POST that reached the receiver, repeats and refused ones included. */
  readonly deliveries: Array<{ id?: string; verified: boolean; headers: IncomingMessage['headers']; raw: string }> = [];
  private server?: Server;
  private port = 0;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/switchyard`;
  }

  /** Listens (again, on the same port once it had one). */
  async up(): Promise<string> {
    this.server = createServer((req, res) => void this.receive(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.url;
  }

  /** Closes the port and every connection: the gateway gets connection refused until `up()`. */
  async down(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = undefined;
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const verified = verifySignature(req.headers['x-switchyard-signature'] as string | undefined, raw, this.secret);
    let alert: ReceivedAlert | undefined;
    try {
      alert = JSON.parse(raw) as ReceivedAlert;
    } catch {
      alert = undefined;
    }
    this.deliveries.push({ id: alert?.id, verified, headers: req.headers, raw });
    if (!verified || !alert?.id) {
      res.writeHead(401).end();
      return;
    }
    if (!this.alerts.some((known) => known.id === alert.id)) this.alerts.push(alert);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  }
}
