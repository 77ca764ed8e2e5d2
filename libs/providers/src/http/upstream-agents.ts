import { Client } from 'undici';

export interface AgentOptions {
  connectTimeoutMs: number;
  maxSockets: number;
}

/**
 * Keep-alive connections for upstream calls, one pool per upstream origin (`OriginPool`), of at most
 * `maxSockets` connections each (a provider's `max_sockets`). A reused connection skips the handshake; a new one
 * that cannot connect (TCP and TLS) in time fails fast with `UND_ERR_CONNECT_TIMEOUT` instead of waiting for the
 * OS (minutes). One set per scheme, as Node's agents were, so that a caller closes both.
 */
export interface UpstreamAgents {
  http: UpstreamConnections;
  https: UpstreamConnections;
}

export function createAgents(options: AgentOptions): UpstreamAgents {
  return { http: new UpstreamConnections(options), https: new UpstreamConnections(options) };
}

/**
 * How long an idle connection is kept when the upstream does not say (a `Keep-Alive: timeout=…` hint wins):
 * long enough that a steady trickle of requests never pays a TLS handshake, while undici's default of 4 s would.
 */
const IDLE_KEEP_MS = 30_000;
/** TCP keep-alive probes on idle connections, so that a dead peer is noticed (as Node's agents were set). */
const TCP_KEEP_ALIVE_DELAY_MS = 15_000;

/** The pools of one scheme, by origin. */
export class UpstreamConnections {
  private readonly pools = new Map<string, OriginPool>();
  private readonly clientOptions: Client.Options;

  constructor(private readonly options: AgentOptions) {
    this.clientOptions = {
      keepAliveTimeout: IDLE_KEEP_MS,
      connect: { timeout: options.connectTimeoutMs, keepAlive: true, keepAliveInitialDelay: TCP_KEEP_ALIVE_DELAY_MS },
      // The caller's own timers measure time to first byte (from the call, queueing and connecting included)
      // and silence between chunks; undici's would only duplicate them, with other messages.
      headersTimeout: 0,
      bodyTimeout: 0,
    };
  }

  forOrigin(origin: string): OriginPool {
    let pool = this.pools.get(origin);
    if (!pool) {
      pool = new OriginPool(origin, this.clientOptions, this.options.maxSockets);
      this.pools.set(origin, pool);
    }
    return pool;
  }

  /** Closes every connection at once; calls in flight fail. */
  destroy(): void {
    for (const pool of this.pools.values()) pool.destroy();
    this.pools.clear();
  }
}

/** A call waiting for a connection. */
export interface ConnectionWaiter {
  onConnection(client: Client): void;
}

/**
 * The connections to one upstream origin, each an undici `Client` (one keep-alive connection, one request at a
 * time). A call takes the connection that came free last (so that a quiet hour lets the others time out), opens
 * a new one while under the limit, or else waits its turn, first come first served, for one to come free.
 *
 * Not undici's `Pool`: it counts a connection busy until a turn of the event loop after its response ended
 * (undici first checks that the upstream did not close it meanwhile), and opens another connection for a call
 * made in between, so that back-to-back calls spread over needless connections. Here the connection is free
 * when its response is: the `Client` holds a call given to it in that turn until its check is done.
 */
export class OriginPool {
  private readonly idle: Client[] = [];
  /** In arrival order (a Set keeps it), and removable when a waiting call is abandoned. */
  private readonly waiting = new Set<ConnectionWaiter>();
  private readonly all = new Set<Client>();
  private destroyed = false;

  constructor(
    private readonly origin: string,
    private readonly clientOptions: Client.Options,
    private readonly maxConnections: number,
  ) {}

  /** Hands `waiter` a connection now, or when one comes free. */
  acquire(waiter: ConnectionWaiter): void {
    const client = this.idle.pop() ?? this.open();
    if (client) waiter.onConnection(client);
    else this.waiting.add(waiter);
  }

  /** A waiting call gave up (timed out, aborted): it takes no connection. */
  withdraw(waiter: ConnectionWaiter): void {
    this.waiting.delete(waiter);
  }

  /** The call on `client` is over (its response ended or failed): the next waiting call gets it. */
  release(client: Client): void {
    if (this.destroyed) return;
    for (const waiter of this.waiting) {
      this.waiting.delete(waiter);
      return waiter.onConnection(client);
    }
    this.idle.push(client);
  }

  destroy(): void {
    this.destroyed = true;
    this.waiting.clear();
    this.idle.length = 0;
    for (const client of this.all) void client.destroy();
    this.all.clear();
  }

  private open(): Client | undefined {
    if (this.all.size >= this.maxConnections || this.destroyed) return undefined;
    const client = new Client(this.origin, this.clientOptions);
    this.all.add(client);
    return client;
  }
}
