import { networkReason } from '../http/admin-client';
import { maskSecret, scrub } from './secrets';

export interface ProbeRequest {
  method?: 'GET' | 'POST';
  /** After the base URL: `/models`, `/chat/completions`. */
  path: string;
  key: string;
  body?: unknown;
  /** Names the request in its `x-request-id`: `doctor-<run>-<tag>`. */
  tag: string;
  timeoutMs?: number;
  /** Another base URL than the one under test (the base-URL step tries alternatives). */
  baseUrl?: string;
}

export interface ProbeResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  latencyMs: number;
  /** The request id the endpoint answered with (`x-request-id`), else the one sent. */
  requestId: string;
}

const MAX_ERROR_TEXT = 500;

/**
 * The doctor's HTTP client for the endpoint under test, speaking to it as an OpenAI SDK would (Bearer key,
 * JSON). Every request carries an `x-request-id` naming the run and step; every response's headers are
 * shown to `onHeaders` (that is how a Switchyard is recognised). Error text that goes into the report is
 * scrubbed of the keys in play.
 */
export class Probe {
  constructor(
    readonly baseUrl: string,
    private readonly runId: string,
    private readonly timeoutMs: number,
    private readonly secrets: () => readonly string[],
    private readonly onHeaders: (headers: Headers) => void,
  ) {}

  requestId(tag: string): string {
    return `doctor-${this.runId}-${tag}`;
  }

  /** Sends a request and reads the whole body. Throws when the endpoint cannot be reached or times out. */
  async request(request: ProbeRequest): Promise<ProbeResponse> {
    const { response, startedAt } = await this.open(request);
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: parseJson(text),
      latencyMs: Date.now() - startedAt,
      requestId: response.headers.get('x-request-id') ?? this.requestId(request.tag),
    };
  }

  /** Sends a request and answers once the headers are in; the body is the caller's to read (streams). */
  async open(request: ProbeRequest): Promise<{ response: Response; startedAt: number }> {
    const url = (request.baseUrl ?? this.baseUrl).replace(/\/+$/, '') + request.path;
    const startedAt = Date.now();
    let response: Response;
    try {
      response = await fetch(url, {
        method: request.method ?? (request.body === undefined ? 'GET' : 'POST'),
        signal: AbortSignal.timeout(request.timeoutMs ?? this.timeoutMs),
        headers: {
          authorization: `Bearer ${request.key}`,
          'x-request-id': this.requestId(request.tag),
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
      });
    } catch (error) {
      throw new ProbeFailure(url, error, Date.now() - startedAt);
    }
    this.onHeaders(response.headers);
    return { response, startedAt };
  }

  /** Raw error text for the report: as the endpoint sent it, bounded, keys masked. */
  errorText(text: string, extraSecrets: readonly string[] = []): string {
    const scrubbed = scrub(text, [...this.secrets(), ...extraSecrets]);
    return scrubbed.length > MAX_ERROR_TEXT ? `${scrubbed.slice(0, MAX_ERROR_TEXT)}…` : scrubbed;
  }

  maskedKey(key: string): string {
    return maskSecret(key);
  }
}

/** The request never got an HTTP answer: refused, unresolvable, reset, or timed out. */
export class ProbeFailure extends Error {
  /** The client's own timeout fired (AbortSignal.timeout), as opposed to a network error. */
  readonly timedOut: boolean;
  /** How the failure surfaced to the client: the error's name and message. */
  readonly surfacedAs: string;

  constructor(
    readonly url: string,
    error: unknown,
    readonly elapsedMs: number,
  ) {
    super(`${url}: ${networkReason(error)}`, { cause: error });
    const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
    this.timedOut = name === 'TimeoutError';
    this.surfacedAs = typeof name === 'string' ? `${name}: ${String(message)}` : String(error);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `{"error":{"message":…,"type":…}}`, the envelope OpenAI's SDKs parse. */
export function openAiError(json: unknown): { message: string; type: string; code: unknown } | undefined {
  const error = (json as { error?: unknown } | undefined)?.error;
  if (!error || typeof error !== 'object') return undefined;
  const { message, type, code } = error as Record<string, unknown>;
  return typeof message === 'string' && typeof type === 'string' ? { message, type, code } : undefined;
}
