import type { GatewayError } from '@app/common';
import { createAgents } from './upstream-agents';
import { upstreamInvalidResponse } from './upstream-errors';
import { readBody, UpstreamHttpService, UpstreamResponse } from './upstream-http.service';
import type { UpstreamCallContext } from '../provider.types';

/** The provider config fields every HTTP adapter shares. */
export interface EndpointConfig {
  id: string;
  headers?: Record<string, string>;
  connect_timeout_ms: number;
  max_sockets: number;
}

/** Reads an error response and maps it to a gateway error, in the provider's own way. */
export type FailureMapper = (status: number, headers: Record<string, string | undefined>, body: string) => GatewayError;

const MAX_ERROR_BODY = 1024 * 1024;

/**
 * One provider's connection to its upstream: its keep-alive agents, the headers every call carries (auth
 * included), and the plumbing every adapter needs — send JSON, read a JSON answer, turn an error response
 * into a gateway error through the provider's mapper.
 */
export class UpstreamEndpoint {
  private readonly agents;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: EndpointConfig,
    authHeaders: Record<string, string>,
    private readonly http: UpstreamHttpService,
    private readonly mapFailure: FailureMapper,
  ) {
    this.agents = createAgents({ connectTimeoutMs: config.connect_timeout_ms, maxSockets: config.max_sockets });
    this.headers = { 'content-type': 'application/json', accept: 'application/json', ...config.headers, ...authHeaders };
  }

  post(url: string, body: unknown, context: UpstreamCallContext, extraHeaders?: Record<string, string>): Promise<UpstreamResponse> {
    return this.http.send({
      providerId: this.config.id,
      url,
      headers: extraHeaders ? { ...this.headers, ...extraHeaders } : this.headers,
      body: JSON.stringify(body),
      agents: this.agents,
      context,
    });
  }

  /** Throws the mapped error for a 4xx/5xx, otherwise parses the JSON body. */
  async json<T>(response: UpstreamResponse): Promise<T> {
    await this.assertOk(response);
    const text = await readBody(response.body);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw this.invalid('a body that is not JSON');
    }
  }

  /** Throws the mapped error for a 4xx/5xx response (reading its body); streams call this before iterating. */
  async assertOk(response: UpstreamResponse): Promise<void> {
    if (response.status >= 400) {
      throw this.mapFailure(response.status, response.headers, await readBody(response.body, MAX_ERROR_BODY));
    }
  }

  invalid(what: string): GatewayError {
    return upstreamInvalidResponse(this.config.id, what);
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
