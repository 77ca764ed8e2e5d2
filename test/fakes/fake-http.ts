import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A request as the fake upstream received it. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
  /** The status the fake answered with, once its handler has written the response. */
  status?: number;
}

/** Knobs for how a fake writes a response, shared by all provider fakes. */
export interface WireOptions {
  /** Wait this long before sending status and headers. */
  headersDelayMs?: number;
  /** Wait this long between stream events. */
  eventDelayMs?: number;
  /** Write the body in pieces of this many bytes (splits SSE lines across TCP writes). */
  splitBytes?: number;
  /** Stop writing after this many stream events and destroy the socket (no terminator). */
  cutAfterEvents?: number;
  /** After this many events, go silent and keep the connection open. */
  stallAfterEvents?: number;
}

/**
 * The socket-level part of every fake upstream: a real HTTP server on 127.0.0.1 that records requests,
 * tracks connections (so tests can see when the gateway hangs up) and writes bodies the way the
 * scripting asks (delays, split writes, cuts, stalls).
 */
export abstract class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  /** Times (ms since epoch) at which a request's connection was closed by the client before the response ended. */
  readonly clientAborts: number[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  protected abstract handle(request: RecordedRequest, response: ServerResponse): Promise<void>;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.receive(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** Requests whose path includes `fragment`. */
  calls(fragment: string): RecordedRequest[] {
    return this.requests.filter((request) => request.url.includes(fragment));
  }

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // Keep the raw text; the handler decides whether that is an error.
    }
    const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
    this.requests.push(recorded);
    res.once('close', () => {
      if (!res.writableFinished) this.clientAborts.push(Date.now());
    });
    try {
      await this.handle(recorded, res);
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake failed: ${(error as Error).message}` } }));
    }
    recorded.status = res.statusCode;
  }
}

/** Waits `ms` before the status line, or less if the client hangs up first (no timer outlives the test). */
export async function delayHeaders(res: ServerResponse, ms: number): Promise<void> {
  const hungUp = new AbortController();
  res.once('close', () => hungUp.abort());
  await sleep(ms, undefined, { signal: hungUp.signal }).catch(() => undefined);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Writes SSE events honouring the wire options. Returns false when the stream was cut or stalled, so the
 * caller knows not to write a terminator.
 */
export async function writeEvents(res: ServerResponse, events: string[], options: WireOptions): Promise<boolean> {
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed) return false;
    if (options.cutAfterEvents !== undefined && i >= options.cutAfterEvents) {
      // Let what was written reach the client first: the cut is mid-stream, not before it.
      await sleep(20);
      res.socket?.destroy();
      return false;
    }
    if (options.stallAfterEvents !== undefined && i >= options.stallAfterEvents) return false;
    if (options.eventDelayMs && i > 0) await sleep(options.eventDelayMs);
    await writeSplit(res, events[i], options.splitBytes);
  }
  return true;
}

export async function writeSplit(res: ServerResponse, text: string, splitBytes?: number): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  if (!splitBytes) {
    res.write(bytes);
    return;
  }
  for (let start = 0; start < bytes.length; start += splitBytes) {
    res.write(bytes.subarray(start, start + splitBytes));
    // Yield so each piece leaves as its own TCP write.
    await sleep(1);
  }
}

/** Writes `bytes` cut at the given offsets, each piece as its own TCP write (recorded-stream replays). */
export async function writeAtOffsets(res: ServerResponse, bytes: Buffer, offsets: number[]): Promise<void> {
  let start = 0;
  for (const end of [...[...new Set(offsets)].sort((a, b) => a - b), bytes.length]) {
    if (res.destroyed) return;
    res.write(bytes.subarray(start, end));
    start = end;
    // Yield so each piece leaves as its own TCP write.
    await sleep(1);
  }
}
