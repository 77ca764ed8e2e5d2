import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import type { AxiosError } from 'axios';
import type http from 'node:http';
import type https from 'node:https';
import type { Readable } from 'node:stream';
import { GatewayError } from '@app/common';
import type { UpstreamCallContext } from '../provider.types';

export interface UpstreamRequest {
  providerId: string;
  url: string;
  method?: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Already serialised: the body is sent as-is, never re-encoded. */
  body?: string;
  agents: { http: http.Agent; https: https.Agent };
  context: UpstreamCallContext;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | undefined>;
  /**
   * The response body. Iterating it fails with `upstream_timeout` after `idleMs` of silence and with
   * `upstream_connection_error` if the connection drops; stopping early releases the connection.
   */
  body: AsyncIterable<Buffer>;
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT']);

/**
 * The one way adapters reach an upstream: axios (through @nestjs/axios) on keep-alive agents, bodies as
 * Node streams (no fetch, no web streams), with time-to-first-byte and idle timeouts and client-abort
 * propagation. Transport failures come out as `GatewayError`s with `upstream_*` codes.
 */
@Injectable()
export class UpstreamHttpService {
  constructor(private readonly http: HttpService) {}

  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const { context } = request;
    context.signal.throwIfAborted();
    const headersTimer = new AbortController();
    const timer = setTimeout(() => headersTimer.abort(), context.ttfbMs);
    let response;
    try {
      response = await this.http.axiosRef.request<Readable>({
        url: request.url,
        method: request.method ?? 'POST',
        headers: request.headers,
        data: request.body,
        responseType: 'stream',
        validateStatus: () => true,
        maxRedirects: 0,
        proxy: false,
        httpAgent: request.agents.http,
        httpsAgent: request.agents.https,
        signal: AbortSignal.any([context.signal, headersTimer.signal]),
        transformRequest: [(data: unknown) => data],
      });
    } catch (error) {
      if (context.signal.aborted) throw context.signal.reason;
      if (headersTimer.signal.aborted) {
        throw new GatewayError('upstream_timeout', `Upstream "${request.providerId}" sent no response within ${context.ttfbMs} ms.`);
      }
      throw transportError(request.providerId, error as AxiosError);
    } finally {
      clearTimeout(timer);
    }
    guardIdle(response.data, context, request.providerId);
    return {
      status: response.status,
      headers: response.headers as Record<string, string | undefined>,
      body: bodyChunks(response.data, context, request.providerId),
    };
  }
}

async function* bodyChunks(body: Readable, context: UpstreamCallContext, providerId: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk as Buffer;
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason;
    if (error instanceof GatewayError) throw error;
    throw new GatewayError('upstream_connection_error', `Upstream "${providerId}" dropped the connection mid-response.`, {
      upstreamMessage: (error as Error).message,
    });
  } finally {
    body.destroy();
  }
}

/** Ends the body with an error after `idleMs` without data, and as soon as the caller aborts. */
function guardIdle(body: Readable, context: UpstreamCallContext, providerId: string): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      body.destroy(new GatewayError('upstream_timeout', `Upstream "${providerId}" went silent for ${context.idleMs} ms mid-response.`));
    }, context.idleMs);
  };
  const onAbort = () => body.destroy(context.signal.reason as Error);
  arm();
  body.on('data', arm);
  body.once('close', () => {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', onAbort);
  });
  context.signal.addEventListener('abort', onAbort, { once: true });
}

function transportError(providerId: string, error: AxiosError): GatewayError {
  const code = error.code ?? (error.cause as { code?: string } | undefined)?.code ?? '';
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new GatewayError('upstream_timeout', `Could not connect to upstream "${providerId}" in time.`, { cause: error });
  }
  const detail = CONNECTION_ERRORS.has(code) ? code : error.message;
  return new GatewayError('upstream_connection_error', `Could not reach upstream "${providerId}": ${detail}.`, {
    upstreamMessage: detail,
    cause: error,
  });
}

/** Reads a whole (non-stream or error) body as text, up to `limitBytes`. */
export async function readBody(body: AsyncIterable<Buffer>, limitBytes = 64 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limitBytes) throw new GatewayError('upstream_invalid_response', `Upstream response exceeded ${limitBytes} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
