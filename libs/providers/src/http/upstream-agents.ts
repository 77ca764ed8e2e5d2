import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

export interface AgentOptions {
  connectTimeoutMs: number;
  maxSockets: number;
}

/**
 * Keep-alive agents with a connect timeout: a reused socket skips the handshake entirely, and a new one
 * that cannot connect in time fails fast with ETIMEDOUT instead of waiting for the OS (minutes).
 */
export interface UpstreamAgents {
  http: http.Agent;
  https: https.Agent;
}

export function createAgents(options: AgentOptions): UpstreamAgents {
  const common = {
    keepAlive: true,
    keepAliveMsecs: 15_000,
    maxSockets: options.maxSockets,
    scheduling: 'lifo' as const,
  };
  return {
    http: withConnectTimeout(new http.Agent(common), options.connectTimeoutMs, 'connect'),
    https: withConnectTimeout(new https.Agent(common), options.connectTimeoutMs, 'secureConnect'),
  };
}

function withConnectTimeout<A extends http.Agent>(agent: A, timeoutMs: number, readyEvent: string): A {
  const create = (agent as unknown as { createConnection: (...args: unknown[]) => Duplex }).createConnection.bind(
    agent,
  );
  (agent as unknown as { createConnection: (...args: unknown[]) => Duplex }).createConnection = (
    ...args: unknown[]
  ) => {
    const socket = create(...args);
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`connect timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' });
      socket.destroy(error);
    }, timeoutMs);
    socket.once(readyEvent, () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
    return socket;
  };
  return agent;
}
