/** Query parameters; undefined ones are left out. */
export type Query = Record<string, string | number | undefined>;

/** The admin API said no: its status and its own message (`{"error":{"message":…}}`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string | null,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The admin API over HTTP with Node's fetch: JSON in and out, errors as `ApiError` carrying the API's
 * message, and a raw body stream for exports. The admin key only ever travels in the Authorization header.
 */
export class AdminClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminKey: string,
  ) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.json<T>('GET', withQuery(path, query));
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PUT', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, body);
  }

  async delete(path: string): Promise<void> {
    await this.json('DELETE', path);
  }

  /** A streamed body (exports): no overall timeout, the caller reads it at its own pace. */
  async stream(path: string, query: Query = {}): Promise<ReadableStream<Uint8Array>> {
    const response = await this.send('GET', withQuery(path, query));
    if (!response.ok || !response.body) throw await apiError(response);
    return response.body;
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body, AbortSignal.timeout(REQUEST_TIMEOUT_MS));
    if (!response.ok) throw await apiError(response);
    const text = await response.text();
    return (text ? JSON.parse(text) : null) as T;
  }

  private async send(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const url = this.baseUrl.replace(/\/+$/, '') + path;
    try {
      return await fetch(url, {
        method,
        signal,
        headers: {
          authorization: `Bearer ${this.adminKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`cannot reach ${url}: ${networkReason(error)}`);
    }
  }
}

export function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

/** fetch hides the socket error (ECONNREFUSED, ENOTFOUND) in `cause`; that is the part worth printing. */
export function networkReason(error: unknown): string {
  // Duck-typed rather than instanceof: undici's errors may come from another realm (a test VM, say).
  const { name, message, cause } = (error ?? {}) as { name?: unknown; message?: unknown; cause?: unknown };
  const { code, message: causeMessage } = (cause ?? {}) as { code?: unknown; message?: unknown };
  if (typeof causeMessage === 'string') return typeof code === 'string' ? `${code} (${causeMessage})` : causeMessage;
  if (name === 'TimeoutError') return 'timed out';
  return typeof message === 'string' ? message : String(error);
}

async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const { error } = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } };
    if (error && typeof error.message === 'string') {
      return new ApiError(response.status, error.message, typeof error.code === 'string' ? error.code : null);
    }
  } catch {
    // Not the API's JSON envelope (a proxy's HTML page, say): report the status and the start of the text.
  }
  return new ApiError(response.status, `HTTP ${response.status} ${text.slice(0, 200)}`.trim(), null);
}
