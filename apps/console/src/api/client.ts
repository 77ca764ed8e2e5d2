/** Query parameters; undefined and empty values are left out. */
export type Query = Record<string, string | number | undefined | null>;

/** An admin API call that failed: the gateway's error envelope, or the network failure, in words. */
export class AdminApiError extends Error {
  constructor(
    /** HTTP status; 0 when the gateway did not answer. */
    readonly status: number,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'AdminApiError';
  }
}

/**
 * The admin API of the gateway that served the console (same origin, so the strict `connect-src 'self'`
 * allows it). The token travels only in the Authorization header: URLs end up in logs, histories and
 * proxies, headers do not.
 */
export class AdminClient {
  constructor(
    private readonly token: string,
    /** Called when the gateway refuses the token (revoked, expired, rotated): the session is over. */
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
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

  delete(path: string): Promise<void> {
    return this.json<void>('DELETE', path);
  }

  /** A file the API sends as an attachment (an export), fetched with the token in its header. */
  async download(path: string, query?: Query): Promise<Blob> {
    return (await this.call('GET', withQuery(path, query))).blob();
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.call(method, path, body);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      throw new AdminApiError(
        0,
        `The gateway did not answer (${error instanceof Error ? error.message : 'network error'}).`,
      );
    }
    if (response.ok) return response;
    const failure = await errorFrom(response);
    if (failure.status === 401) this.onUnauthorized();
    throw failure;
  }
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

interface ErrorEnvelope {
  error?: { message?: string; code?: string | null; param?: string | null };
}

async function errorFrom(response: Response): Promise<AdminApiError> {
  let envelope: ErrorEnvelope = {};
  try {
    envelope = (await response.json()) as ErrorEnvelope;
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const message = envelope.error?.message ?? `The gateway answered ${response.status} ${response.statusText}.`;
  return new AdminApiError(response.status, message, envelope.error?.code ?? null, envelope.error?.param ?? null);
}
