/**
 * Where Switchyard's wire output deliberately differs from OpenAI's published OpenAPI document, each with its
 * reason. The wire checks (`openai-wire.ts`) apply exactly these entries and nothing else: a difference not
 * listed here fails the test that received it. Add an entry only for a difference a strict OpenAI client
 * accepts (OpenAI's own API does the same, or the body is not OpenAI's to define), never to quiet a bug.
 */

/** Routes whose bodies are not OpenAI's: they are not checked against its document. */
export const NOT_OPENAI_ROUTES: ReadonlyArray<{ route: RegExp; why: string }> = [
  {
    route: /^\/v1\/messages(\/count_tokens)?$/,
    why:
      "Anthropic's Messages API, answered (errors included) in Anthropic's shape for Claude Code and the " +
      'Anthropic SDK; OpenAI publishes no schema for it.',
  },
];

/**
 * The error event that ends a chat stream which failed after its first chunk. The status line is gone by
 * then, so the gateway writes `data: {"error":{message,type,param,code}}` and no `[DONE]`, as OpenAI's API
 * does and as the official SDKs read it (they throw it as an APIError); the spec defines no error event for
 * chat streams. It is checked against `ErrorResponse`, the shape every other error body has.
 */
export const CHAT_STREAM_ERROR_EVENT = { schema: 'ErrorResponse' } as const;

/**
 * Cut streams. A stream must end with its ending (`data: [DONE]` or the error event for chat; `response.completed`,
 * `response.incomplete` or `response.failed` for Responses) and carry nothing after it; the wire checks fail any
 * other end. A test that cuts a stream on purpose (a gateway destroyed under it, a connection torn down by a
 * proxy) declares it in its body with `wire.allowCutStreams(why)`, which holds until the test ends and counts
 * each such stream under its reason. A stream the reader cancels or aborts is the reader's cut and not checked.
 * The gateway itself never ends a stream without its ending: an upstream that breaks off, stalls or sends a
 * broken event gets the error event (chat) or `response.failed` (Responses), so no declaration covers that.
 */

/** Single schema violations accepted at one JSON path, when the value there passes `accepts`. */
export interface ToleratedViolation {
  schema: string;
  /** The JSON path (JSON pointer, as Ajv reports it) the violation is at. */
  path: RegExp;
  /** The JSON-schema keyword that fails there. */
  keyword: string;
  accepts(value: unknown): boolean;
  why: string;
}

export const TOLERATED_VIOLATIONS: readonly ToleratedViolation[] = [
  {
    schema: 'CreateEmbeddingResponse',
    path: /^\/data\/\d+\/embedding$/,
    keyword: 'type',
    accepts: (value) => typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value),
    why:
      'With `encoding_format: "base64"` (the official SDKs ask for it by default and decode it) the vector is ' +
      "a base64 string of little-endian float32s, as OpenAI's API answers; the spec types only the float array.",
  },
];
