import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CancelSource } from '@app/common';
import { providersConfig } from '../providers.config';
import { createAgents, UpstreamAgents } from './upstream-agents';
import { UpstreamHttpService } from './upstream-http.service';

/** An upstream that answers every call after `delayMs`, noting the calls' ids and headers in arrival order. */
class SlowUpstream {
  readonly received: { id: string; headers: IncomingHttpHeaders }[] = [];
  connections = 0;
  delayMs = 0;
  url = '';
  private readonly server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      this.received.push({ id: String(request.headers['x-call']), headers: request.headers });
      setTimeout(() => response.end('{}'), this.delayMs);
    });
  });

  async start(): Promise<void> {
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('upstream connection pools', () => {
  const service = new UpstreamHttpService(providersConfig());
  const upstream = new SlowUpstream();
  let agents: UpstreamAgents;

  async function call(id: string, url = `${upstream.url}/v1/chat`, headers: Record<string, string> = {}) {
    const response = await service.send({
      providerId: 'up',
      url,
      headers: { 'x-call': id, ...headers },
      body: '{}',
      agents,
      context: { requestId: id, signal: new CancelSource(), connectMs: 1_000, ttfbMs: 5_000, idleMs: 5_000 },
    });
    return response.text();
  }

  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());
  beforeEach(() => {
    upstream.received.length = 0;
    upstream.connections = 0;
    upstream.delayMs = 0;
  });
  afterEach(() => agents.http.destroy());

  it('opens at most max_sockets connections to an origin; further calls wait their turn, first come first served', async () => {
    agents = createAgents({ connectTimeoutMs: 1_000, maxSockets: 2 });
    upstream.delayMs = 60;
    const ids = ['0', '1', '2', '3', '4', '5'];
    const answers = ids.map((id) => call(id));
    await sleep(30);
    expect(upstream.received.map((r) => r.id).sort()).toEqual(['0', '1']); // the others wait for a connection
    expect(await Promise.all(answers)).toEqual(ids.map(() => '{}'));
    expect(upstream.connections).toBe(2);
    const arrived = upstream.received.map((r) => r.id);
    expect([arrived.slice(0, 2), arrived.slice(2, 4), arrived.slice(4)].map((pair) => pair.sort())).toEqual([
      ['0', '1'],
      ['2', '3'],
      ['4', '5'],
    ]);
  });

  it("sends a URL's user info as basic credentials, unless the call carries its own authorization", async () => {
    agents = createAgents({ connectTimeoutMs: 1_000, maxSockets: 2 });
    const withUser = upstream.url.replace('http://', 'http://svc%40acme:p%3Ass@');
    await call('a', `${withUser}/v1/chat`);
    await call('b', `${withUser}/v1/chat`, { Authorization: 'Bearer sk-own' });
    expect(upstream.received.map((r) => r.headers.authorization)).toEqual([
      `Basic ${Buffer.from('svc@acme:p:ss').toString('base64')}`,
      'Bearer sk-own',
    ]);
  });
});
