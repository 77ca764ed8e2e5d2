import { JsonBodies, JsonTooDeepError, stringifyInTurns, type GatewayError } from '@app/common';
import { createAgents, UpstreamAgents } from './upstream-agents';
import { upstreamInvalidResponse } from './upstream-errors';
import type { UpstreamHttpService, UpstreamResponse } from './upstream-http.service';
import type { UpstreamCallContext } from '../provider.types';

/** The provider config fields every HTTP adapter shares. */
export interface EndpointConfig {
  id: string;
  headers?: Record<string, string>;
  max_sockets: number;
}

/** Reads an error response and maps it to a gateway error, in the provider's own way. */
export type FailureMapper = (status: number, headers: Record<string, string | undefined>, body: string) => GatewayError;

const MAX_ERROR_BODY = 1024 * 1024;
/**
 * Answers are parsed as request bodies are: above 1 MiB in slices, yielding every 10 ms (a 16 MiB answer of
 * small objects, logprobs say, takes ~100 ms in one JSON.parse). Their nesting is bounded too, as the gateway
 * serialises and translates them again, recursively; no answer shape comes near 128 levels (tool arguments
 * are strings, and Gemini's and Anthropic's argument objects follow a tool's schema).
 */
const MAX_ANSWER_DEPTH = 128;
const ANSWERS = new JsonBodies(
  { parse: (text) => JSON.parse(text) as unknown, malformed: () => new SyntaxError('not JSON') },
  { maxDepth: MAX_ANSWER_DEPTH, slicedAbove: 1024 * 1024, sliceChars: 256 * 1024, turnMs: 10 },
);
/** Unless a provider's configured headers say otherwise. (No accept-encoding: upstream bodies come uncompressed.) */
const USER_AGENT = 'switchyard';

/**
 * One provider's connection to its upstream: its keep-alive agents, the headers every call carries (auth
 * included), and the plumbing every adapter needs — send JSON, read a JSON answer, turn an error response
 * into a gateway error through the provider's mapper.
 */
export class UpstreamEndpoint {
  /** Keep-alive pools by connect timeout: models may set different ones for the same provider. */
  private readonly agents = new Map<number, UpstreamAgents>();
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: EndpointConfig,
    authHeaders: Record<string, string>,
    private readonly http: UpstreamHttpService,
    private readonly mapFailure: FailureMapper,
  ) {
    this.headers = {
      'user-agent': USER_AGENT,
      'content-type': 'application/json',
      accept: 'application/json',
      ...config.headers,
      ...authHeaders,
    };
  }

  async post(
    url: string,
    body: unknown,
    context: UpstreamCallContext,
    extraHeaders?: Record<string, string>,
  ): Promise<UpstreamResponse> {
    return this.http.send({
      providerId: this.config.id,
      url,
      headers: extraHeaders ? { ...this.headers, ...extraHeaders } : this.headers,
      // A 10 MB request body takes 20-50 ms in one JSON.stringify: written in turns, it holds no other request up.
      body: await stringifyInTurns(body),
      agents: this.agentsFor(context.connectMs),
      context,
    });
  }

  /**
   * A non-stream chat, messages or responses answer: `json`, held to the answer cap (`UPSTREAM_MAX_ANSWER_BYTES`)
   * rather than the reader's 64 MiB, since the whole answer is held before it is parsed.
   */
  completion<T>(response: UpstreamResponse): Promise<T> {
    return this.json<T>(response, response.answerLimitBytes);
  }

  /**
   * Throws the mapped error for a 4xx/5xx, otherwise parses the JSON body (of at most `limitBytes`; by default
   * the reader's 64 MiB, for answers that are large by nature: embeddings, images).
   */
  async json<T>(response: UpstreamResponse, limitBytes?: number): Promise<T> {
    if (response.status >= 400) throw await this.failure(response);
    const text = await response.text(limitBytes);
    try {
      return (ANSWERS.isLong(text) ? await ANSWERS.parseSliced(text) : ANSWERS.parse(text)) as T;
    } catch (error) {
      if (error instanceof JsonTooDeepError) throw this.invalid(`a body nested deeper than ${MAX_ANSWER_DEPTH} levels`);
      throw this.invalid('a body that is not JSON');
    }
  }

  /** Throws the mapped error for a 4xx/5xx response (reading its body); streams call this before iterating. */
  async assertOk(response: UpstreamResponse): Promise<void> {
    if (response.status >= 400) throw await this.failure(response);
  }

  invalid(what: string): GatewayError {
    return upstreamInvalidResponse(this.config.id, what);
  }

  close(): void {
    for (const agents of this.agents.values()) {
      agents.http.destroy();
      agents.https.destroy();
    }
  }

  /** Reads an error response's body and maps it through the provider's mapper. */
  private async failure(response: UpstreamResponse): Promise<GatewayError> {
    return this.mapFailure(response.status, response.headers, await response.text(MAX_ERROR_BODY));
  }

  private agentsFor(connectTimeoutMs: number): UpstreamAgents {
    let agents = this.agents.get(connectTimeoutMs);
    if (!agents) {
      agents = createAgents({ connectTimeoutMs, maxSockets: this.config.max_sockets });
      this.agents.set(connectTimeoutMs, agents);
    }
    return agents;
  }
}
