import { SseParser } from '@app/providers';
import { openApiSchemas, OpenApiSchemas } from './openapi-schema';
import {
  CHAT_STREAM_ERROR_EVENT,
  NOT_OPENAI_ROUTES,
  TOLERATED_VIOLATIONS,
  ToleratedViolation,
} from './openai-wire-allowances';

/**
 * Checks what the gateway puts on the wire against OpenAI's published OpenAPI document (`openapi-schema.ts`),
 * with the documented differences of `openai-wire-allowances.ts` and no others.
 *
 * - `expectWireBody(schema, body)` / `expectStreamChunk(chunk)` / `expectResponsesEvent(event)` check one body
 *   and throw naming the schema and each JSON path that breaks it.
 * - `wireCheck()` gives a test file a `fetch` that checks every response it receives before the caller (an
 *   official SDK through its `fetch` option, or the test itself) sees it — the raw JSON and each SSE event,
 *   not the SDK's parsed objects — and fails the test that received a violation.
 */

type StreamKind = 'chat' | 'responses';

/** A gateway route's bodies, by the spec's schema names. */
interface WireContract {
  /** The schema of a 2xx JSON body. */
  body: string;
  /** The schema of each event of a 2xx `text/event-stream` answer, if the route streams. */
  stream?: StreamKind;
}

/**
 * How a stream ends, a rule of the protocol that the schemas cannot express: a chat stream with `data: [DONE]`,
 * or with the error event (`CHAT_STREAM_ERROR_EVENT`) in its place; a Responses stream with one of its terminal
 * events. Nothing may follow. A stream that stops otherwise was cut, and its client cannot tell a whole answer
 * from a truncated one: the SDKs end such a stream silently, as if it were complete.
 */
const STREAM_ENDINGS: Record<StreamKind, readonly string[]> = {
  chat: ['[DONE]', 'an error event'],
  responses: ['response.completed', 'response.incomplete', 'response.failed'],
};

const CONTRACTS: ReadonlyArray<{ method: string; route: RegExp; contract: WireContract }> = [
  {
    method: 'POST',
    route: /^\/v1\/chat\/completions$/,
    contract: { body: 'CreateChatCompletionResponse', stream: 'chat' },
  },
  { method: 'POST', route: /^\/v1\/embeddings$/, contract: { body: 'CreateEmbeddingResponse' } },
  { method: 'GET', route: /^\/v1\/models$/, contract: { body: 'ListModelsResponse' } },
  { method: 'GET', route: /^\/v1\/models\/[^/]+$/, contract: { body: 'Model' } },
  { method: 'POST', route: /^\/v1\/responses$/, contract: { body: 'Response', stream: 'responses' } },
  { method: 'POST', route: /^\/v1\/images\/generations$/, contract: { body: 'ImagesResponse' } },
];

/** Every error status's body, on every route. */
const ERROR_BODY = 'ErrorResponse';

let schemas: OpenApiSchemas | undefined;
function spec(): OpenApiSchemas {
  schemas ??= openApiSchemas() ?? undefined;
  if (!schemas) throw new Error('OpenAI OpenAPI document not found (test/fixtures/openai/openai-openapi.yaml).');
  return schemas;
}

/**
 * Loads the document and compiles every schema the checks use (~3 s): done before the tests, so that checking
 * the first event of a stream does not hold the event loop while later events pile up, which a test of
 * streaming latency would see as a buffering gateway.
 */
function compileAll(): void {
  const names = [
    ...CONTRACTS.map(({ contract }) => contract.body),
    'CreateChatCompletionStreamResponse',
    ERROR_BODY,
    CHAT_STREAM_ERROR_EVENT.schema,
    ...spec().members('ResponseStreamEvent'),
  ];
  for (const name of names) spec().issues(name, null);
}

/** The violations of `body` against `schemaName`, after the tolerated ones, as "Schema /path: message" lines. */
export function wireViolations(schemaName: string, body: unknown): string[] {
  return spec()
    .issues(schemaName, body)
    .filter((issue) => !TOLERATED_VIOLATIONS.some((entry) => tolerates(entry, schemaName, issue, body)))
    .map((issue) => `${schemaName} ${issue.path || '/'}: ${issue.message}`);
}

/** The violations of one chat stream event's JSON (a chunk, or the documented error event). */
export function chatStreamEventViolations(event: unknown): string[] {
  return wireViolations(
    isErrorEvent(event) ? CHAT_STREAM_ERROR_EVENT.schema : 'CreateChatCompletionStreamResponse',
    event,
  );
}

function isErrorEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && 'error' in event;
}

/** The violations of one Responses stream event, against the member of `ResponseStreamEvent` its `type` names. */
export function responsesEventViolations(event: unknown): string[] {
  const type = (event as { type?: unknown } | null)?.type;
  const member = spec().memberOf('ResponseStreamEvent', type);
  if (!member) return [`ResponseStreamEvent /type: ${JSON.stringify(type)} is no event type of the spec`];
  return wireViolations(member, event);
}

export function expectWireBody(schemaName: string, body: unknown): void {
  throwIfAny(wireViolations(schemaName, body), `a ${schemaName} body`);
}

export function expectStreamChunk(chunk: unknown): void {
  throwIfAny(chatStreamEventViolations(chunk), 'a chat stream event');
}

export function expectResponsesEvent(event: unknown): void {
  throwIfAny(responsesEventViolations(event), 'a Responses stream event');
}

function throwIfAny(violations: string[], what: string): void {
  if (violations.length > 0) {
    throw new Error(`${what} breaks OpenAI's OpenAPI document:\n  ${violations.join('\n  ')}`);
  }
}

function tolerates(
  entry: ToleratedViolation,
  schemaName: string,
  issue: { path: string; keyword: string },
  body: unknown,
) {
  return (
    entry.schema === schemaName &&
    entry.keyword === issue.keyword &&
    entry.path.test(issue.path) &&
    entry.accepts(valueAt(body, issue.path))
  );
}

/** The value at a JSON pointer. */
function valueAt(body: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], body);
}

/**
 * A checking `fetch` and what it found. Violations are kept until `takeViolations()`; `checked` counts each body
 * and stream event by the schema it was checked against (and "not OpenAI's: …" for the allow-listed routes).
 */
export class WireCheck {
  private violations: string[] = [];
  /** Why the running test cuts streams on purpose, when it said so (`allowCutStreams`). */
  private cutStreamsAllowed: string | undefined;
  readonly checked = new Map<string, number>();

  readonly fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    const response = await fetch(input, init);
    // An answer to HEAD has its status and headers only: there is no body to check.
    if (method === 'HEAD') return response;
    if (NOT_OPENAI_ROUTES.some(({ route }) => route.test(path))) {
      this.count(`not OpenAI's: ${path}`);
      return response;
    }
    const label = `${method} ${path} → ${response.status}`;
    const contentType = response.headers.get('content-type') ?? '';
    const contract = CONTRACTS.find((entry) => entry.method === method && entry.route.test(path))?.contract;
    if (response.ok && contentType.startsWith('text/event-stream') && response.body) {
      if (contract?.stream) return this.checkedStream(response, contract.stream, label, signal);
      this.violations.push(`${label}: a stream, and OpenAI's document has none here`);
      return response;
    }
    const text = await response.text();
    const schema = response.ok ? contract?.body : ERROR_BODY;
    if (!schema) this.violations.push(`${label}: no schema of OpenAI's document is mapped to this route`);
    else if (!contentType.startsWith('application/json')) {
      this.violations.push(`${label}: content-type "${contentType}", not JSON`);
    } else this.checkJson(schema, text, label);
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  /**
   * Declares that the running test cuts streams on purpose (an upstream that dies mid-stream, a gateway shut
   * down under a stream), `why` saying how: until the test ends, a stream that stops without its ending
   * (`STREAM_ENDINGS`) is counted as "cut stream (declared: why)" instead of failing it. Its events are still
   * checked, and nothing may follow an ending.
   */
  allowCutStreams(why: string): void {
    if (!why.trim()) throw new Error('allowCutStreams: say why the test cuts its streams');
    this.cutStreamsAllowed = why;
  }

  /** Ends a test: its declarations are forgotten, and it fails with every violation it received. */
  endTest(): void {
    this.cutStreamsAllowed = undefined;
    this.expectClean();
  }

  /** The violations found since the last call; they are forgotten. */
  takeViolations(): string[] {
    const found = this.violations;
    this.violations = [];
    return found;
  }

  /** Throws listing every violation found since the last call. */
  expectClean(): void {
    throwIfAny(this.takeViolations(), 'what the gateway sent');
  }

  /** Parses and checks one body or event; `kind` is what `checked` counts it as (by default the schema's name). */
  private checkJson(kind: string, text: string, label: string, check = (body: unknown) => wireViolations(kind, body)) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.violations.push(`${label}: not JSON: ${text.slice(0, 200)}`);
      return;
    }
    this.count(kind);
    this.violations.push(...check(body).map((violation) => `${label}: ${violation}`));
  }

  /**
   * Passes the stream on unchanged, checking each event as it goes by (so by the time the reader is done) and,
   * when the body ends or breaks off, that its last event is one that ends a stream of its kind
   * (`STREAM_ENDINGS`) with nothing after it. A reader that stops reading, or aborts its request, chose the
   * cut: its stream is not held to the rule.
   */
  private checkedStream(response: Response, kind: StreamKind, label: string, signal?: AbortSignal | null): Response {
    const parser = new SseParser();
    let events = 0;
    /** The event that ended the stream, once one did. */
    let ending: string | undefined;
    const checkEvent = (name: string | undefined, data: string) => {
      const where = `${label}, event ${events++}`;
      if (ending) this.violations.push(`${where}: after ${ending}, which ends the stream`);
      if (kind === 'chat') {
        if (data === '[DONE]') {
          ending = '[DONE]';
          return;
        }
        this.checkJson('chat stream event', data, where, (event) => {
          if (isErrorEvent(event)) ending = 'an error event';
          return chatStreamEventViolations(event);
        });
        return;
      }
      this.checkJson('Responses stream event', data, where, (event) => {
        const type = (event as { type?: unknown }).type;
        if (STREAM_ENDINGS.responses.includes(type as string)) ending = String(type);
        const misnamed =
          name === type ? [] : [`event: ${String(name)} names another type than its data's ${String(type)}`];
        return [...misnamed, ...responsesEventViolations(event)];
      });
    };
    /** The reader cancelled the stream: it chose the cut. */
    let cancelled = false;
    const endedWithout = (how: string) => {
      if (ending || cancelled) return;
      if (this.cutStreamsAllowed) {
        this.count(`cut stream (declared: ${this.cutStreamsAllowed})`);
        return;
      }
      this.violations.push(
        `${label}: the stream ${how} after ${events} events without ${STREAM_ENDINGS[kind].join(' or ')}`,
      );
    };
    const reader = response.body!.getReader();
    const checked = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        let read: Awaited<ReturnType<typeof reader.read>>;
        try {
          read = await reader.read();
        } catch (error) {
          if (!signal?.aborted) endedWithout('broke off');
          controller.error(error);
          return;
        }
        if (read.done) {
          endedWithout('ended');
          controller.close();
          return;
        }
        for (const event of parser.push(Buffer.from(read.value))) checkEvent(event.event, event.data);
        controller.enqueue(read.value);
      },
      cancel: (reason) => {
        cancelled = true;
        return reader.cancel(reason);
      },
    });
    return new Response(checked, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }

  private count(what: string): void {
    this.checked.set(what, (this.checked.get(what) ?? 0) + 1);
  }
}

/**
 * A `WireCheck` for the calling test file or `describe` block: each of its tests fails (in `afterEach`) with every
 * violation the check found while it ran. Pass `check.fetch` to the SDK clients (`new OpenAI({ fetch })`) and
 * use it for the raw requests. WIRE_SUMMARY=1 prints what was checked (under `name`) when the block is done.
 */
export function wireCheck(name = ''): WireCheck {
  const check = new WireCheck();
  beforeAll(compileAll);
  afterEach(() => check.endTest());
  afterAll(() => {
    if (process.env.WIRE_SUMMARY) {
      const file = expect.getState().testPath?.split('/').slice(-2).join('/');
      console.info(`wire checks, ${file} ${name}: ${JSON.stringify(Object.fromEntries(check.checked))}`);
    }
  });
  return check;
}
