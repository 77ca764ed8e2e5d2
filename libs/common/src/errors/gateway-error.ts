import { ERROR_CODES, ErrorCode } from './error-codes';

export interface GatewayErrorOptions {
  /** The request field at fault, reported as OpenAI's `param`. */
  param?: string | null;
  /** Overrides the table's status, e.g. an upstream 404 passed through as 404. */
  status?: number;
  /** Overrides the `code` field sent to the client (an upstream's own code for a bad request). */
  clientCode?: string;
  /** Seconds, sent as `retry-after`. */
  retryAfterSeconds?: number;
  /** Extra response headers (rate-limit headers, `x-should-retry`). */
  headers?: Record<string, string>;
  /** The upstream's status and raw error text, kept for evidence; never sent unredacted. */
  upstreamStatus?: number;
  upstreamMessage?: string;
  /**
   * True when the call failed before any of the request reached the upstream (no connection, no DNS answer):
   * repeating it cannot do the job twice, which matters for calls that are not safe to repeat (images).
   */
  notSent?: boolean;
  cause?: unknown;
}

/** The one error type libraries throw; the exception filter maps it to an OpenAI-shaped body. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly options: GatewayErrorOptions;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.options = options;
  }

  get status(): number {
    return this.options.status ?? ERROR_CODES[this.code].status;
  }

  get type(): string {
    return ERROR_CODES[this.code].type;
  }

  toBody(): OpenAiErrorBody {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.options.param ?? null,
        code: this.options.clientCode ?? this.code,
      },
    };
  }
}

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Abort reason when the client disconnects: nobody is left to answer, so nothing is sent. */
export class ClientDisconnectedError extends Error {
  constructor() {
    super('The client closed the connection.');
    this.name = 'ClientDisconnectedError';
  }
}
