/**
 * FakeGeminiServer: a strict stand-in for Google's Generative Language API (v1beta) on a real socket.
 *
 *   const fake = new FakeGeminiServer();            // options: apiKey, models, requireThoughtSignatures, …
 *   const baseUrl = await fake.start();             // "http://127.0.0.1:<port>": the provider's base_url
 *   fake.enqueue({ reply: { text: 'Hi' } });        // scripts are used once each, first in first out …
 *   fake.defaultScript = { eventDelayMs: 5 };       // … then this one, for every request after
 *   fake.requests                                   // every request: url, headers, body (parsed), status
 *   fake.apiKey = 'other';                          // every later request fails as with a wrong key
 *   fake.reset(); await fake.stop();
 *
 * Endpoints: POST /v1beta/models/{model}:generateContent, :streamGenerateContent?alt=sse and
 * :batchEmbedContents. The key must come as `x-goog-api-key` (or `?key=`, which Gemini also accepts; tests
 * assert it is not used): missing → 403 PERMISSION_DENIED, wrong → 400 INVALID_ARGUMENT "API key not
 * valid…" with reason API_KEY_INVALID, as Gemini does. Bodies are then checked like the real API checks
 * them (fake-gemini.validation.ts: roles, part shapes, function call/response pairing by name, schema keys
 * Gemini rejects, …) → 400 INVALID_ARGUMENT. Errors use Gemini's `{"error":{code,message,status,details}}`.
 *
 * Answers: JSON (pretty-printed, as Google sends it), or SSE with `data:` lines only, CRLF blank lines,
 * no terminator (the response just ends), the text split into one event per word, function calls whole
 * in one event, `usageMetadata` cumulative on every event and `finishReason` on the last. Stream and
 * non-stream answers to the same request carry the same final usage. Without a scripted reply the model
 * echoes the last user text. See FakeGeminiScript for what a test can force.
 */
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { validateBatchEmbed, validateGenerateContent } from './fake-gemini.validation';

type Json = Record<string, unknown>;

export interface FakeGeminiUsage {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
  cachedContentTokenCount?: number;
  totalTokenCount?: number;
}

/** What the model says. Every candidate (see `generationConfig.candidateCount`) says the same. */
export interface FakeGeminiReply {
  /** The answer; an array gives the stream's pieces exactly, a string is streamed word by word. */
  text?: string | string[];
  /** Thought summaries (`thought: true` parts), sent before the text. */
  thoughts?: string | string[];
  /** Function calls, sent whole in one event after the text. */
  functionCalls?: Array<{ name: string; args?: Json; thoughtSignature?: string }>;
  /** Default STOP; `null` sends none at all (a stream that never finishes). */
  finishReason?: string | null;
  /** Blocks the prompt: no candidates, only `promptFeedback.blockReason`. */
  blockReason?: string;
  /** Replaces the computed final token counts. */
  usage?: FakeGeminiUsage;
  responseId?: string;
  modelVersion?: string;
}

export interface FakeGeminiScript {
  reply?: FakeGeminiReply;
  /** Non-stream: this exact JSON body instead of one built from `reply`. */
  body?: unknown;
  /** Stream: these exact event objects instead of ones built from `reply`. */
  events?: unknown[];
  /** Stream: these exact bytes as the whole body (a recorded stream). */
  rawStream?: string | Buffer;
  /** Embeddings: these vectors instead of deterministic ones. */
  embeddings?: number[][];
  /** Answer with this error instead (after the API-key check); `body` defaults to Gemini's envelope. */
  error?: { status: number; grpcStatus?: string; message?: string; body?: unknown; details?: Json[] };
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Wait this long before sending the response headers. */
  headerDelayMs?: number;
  /** Wait this long between two writes of a stream. */
  eventDelayMs?: number;
  /** Cut the stream's bytes at these offsets, one write per piece (default: one write per event). */
  splitAt?: number[];
  /** After this many events, send `data: {"error":…}` and end the stream. */
  streamError?: { afterEvents: number; status?: string; code?: number; message?: string };
  /** Destroy the socket after this many stream events (or bytes), with no clean end. */
  abortAfter?: { events: number } | { bytes: number };
}

export interface FakeGeminiRequest {
  method: string;
  /** Path and query, exactly as received. */
  url: string;
  model: string;
  action: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
  /** The status the fake answered with, and its error message if it refused. */
  status?: number;
  error?: string;
}

export interface FakeGeminiOptions {
  apiKey?: string;
  /** When set, other models answer 404 NOT_FOUND. */
  models?: string[];
  /** Gemini 3: a model turn's first functionCall part must carry its thoughtSignature. */
  requireThoughtSignatures?: boolean;
  /** Whether `fileData` may point at any http(s) URL (Gemini's support for this is unverified). */
  allowExternalFileUris?: boolean;
}

const GRPC_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const DEFAULT_KEY = 'fake-gemini-key';

const PATH = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents)$/;

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Json[],
  ) {
    super(message);
  }
}

export class FakeGeminiServer {
  /** The one key accepted; change it to make every later request fail as with a revoked key. */
  apiKey: string;
  readonly requests: FakeGeminiRequest[] = [];
  /** Used for every request once the queue is empty. */
  defaultScript: FakeGeminiScript = {};
  private readonly queue: FakeGeminiScript[] = [];
  private readonly server = http.createServer((req, res) => void this.handle(req, res));

  constructor(private readonly options: FakeGeminiOptions = {}) {
    this.apiKey = options.apiKey ?? DEFAULT_KEY;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Scripts for the next requests, one each. */
  enqueue(...scripts: FakeGeminiScript[]): void {
    this.queue.push(...scripts);
  }

  /** Forgets requests and scripts, and accepts the configured key again. */
  reset(): void {
    this.apiKey = this.options.apiKey ?? DEFAULT_KEY;
    this.requests.length = 0;
    this.queue.length = 0;
    this.defaultScript = {};
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const script = this.queue.shift() ?? this.defaultScript;
    const url = new URL(req.url ?? '/', 'http://fake');
    const match = PATH.exec(url.pathname);
    const record: FakeGeminiRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      model: match?.[1] ?? '',
      action: match?.[2] ?? '',
      headers: req.headers,
      rawBody: '',
      body: undefined,
    };
    this.requests.push(record);
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      record.rawBody = Buffer.concat(chunks).toString('utf8');
      if (script.headerDelayMs) await sleep(script.headerDelayMs);
      this.authenticate(req, url);
      if (script.error)
        throw new Refusal(script.error.status, script.error.message ?? 'Scripted failure.', script.error.details);
      const body = this.accept(req, url, record);
      record.status = 200;
      if (record.action === 'batchEmbedContents') return this.sendJson(res, script, embedAnswer(body, script));
      if (record.action === 'generateContent')
        return this.sendJson(res, script, script.body ?? answer(body, script.reply, record.model));
      return await this.sendStream(res, script, streamBytes(body, script, record.model));
    } catch (error) {
      if (error instanceof Refusal) return this.sendError(res, record, script, error);
      // The client went away (or a test broke the socket): nothing left to answer.
      res.destroy();
    }
  }

  private authenticate(req: http.IncomingMessage, url: URL): void {
    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    if (!key) {
      throw new Refusal(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (key !== this.apiKey) {
      throw new Refusal(400, 'API key not valid. Please pass a valid API key.', [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'API_KEY_INVALID',
          domain: 'googleapis.com',
          metadata: { service: 'generativelanguage.googleapis.com' },
        },
      ]);
    }
  }

  /** The parsed body of a request the real API would take; otherwise throws the refusal it would send. */
  private accept(req: http.IncomingMessage, url: URL, record: FakeGeminiRequest): Json {
    if (req.method !== 'POST' || !record.action)
      throw new Refusal(404, `Method not found: ${req.method} ${url.pathname}`);
    if (this.options.models && !this.options.models.includes(record.model)) {
      throw new Refusal(
        404,
        `models/${record.model} is not found for API version v1beta, or is not supported for ${record.action}. Call ListModels to see the list of available models and their supported methods.`,
      );
    }
    if (record.action === 'streamGenerateContent' && url.searchParams.get('alt') !== 'sse') {
      throw new Refusal(400, 'This fake streams SSE only: call :streamGenerateContent?alt=sse.');
    }
    try {
      record.body = JSON.parse(record.rawBody);
    } catch {
      throw new Refusal(400, `Invalid JSON payload received. Unexpected token.\n${record.rawBody.slice(0, 40)}\n^`);
    }
    const problem =
      record.action === 'batchEmbedContents'
        ? validateBatchEmbed(record.body, record.model)
        : validateGenerateContent(record.body, {
            requireThoughtSignatures: this.options.requireThoughtSignatures ?? false,
            allowExternalFileUris: this.options.allowExternalFileUris ?? true,
          });
    if (problem) throw new Refusal(400, problem);
    return record.body as Json;
  }

  private sendError(
    res: http.ServerResponse,
    record: FakeGeminiRequest,
    script: FakeGeminiScript,
    refusal: Refusal,
  ): void {
    record.status = refusal.status;
    record.error = refusal.message;
    const scripted = script.error?.body;
    const envelope = {
      error: {
        code: refusal.status,
        message: refusal.message,
        status: script.error?.grpcStatus ?? GRPC_STATUS[refusal.status] ?? 'UNKNOWN',
        ...(refusal.details ? { details: refusal.details } : {}),
      },
    };
    const text = typeof scripted === 'string' ? scripted : JSON.stringify(scripted ?? envelope, null, 2);
    res.writeHead(refusal.status, { 'content-type': 'application/json; charset=UTF-8', ...script.headers });
    res.end(text);
  }

  private sendJson(res: http.ServerResponse, script: FakeGeminiScript, body: unknown): void {
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', ...script.headers });
    res.end(JSON.stringify(body, null, 2));
  }

  private async sendStream(
    res: http.ServerResponse,
    script: FakeGeminiScript,
    stream: { bytes: Buffer; eventEnds: number[] },
  ): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...script.headers });
    const abort = script.abortAfter;
    const abortAt = abort ? ('bytes' in abort ? abort.bytes : (stream.eventEnds[abort.events - 1] ?? 0)) : undefined;
    const bytes = abortAt === undefined ? stream.bytes : stream.bytes.subarray(0, abortAt);
    const cuts = [...new Set([...(script.splitAt ?? stream.eventEnds), bytes.length])]
      .filter((cut) => cut > 0 && cut <= bytes.length)
      .sort((a, b) => a - b);
    let start = 0;
    for (const cut of cuts) {
      if (start > 0 && script.eventDelayMs) await sleep(script.eventDelayMs);
      if (res.destroyed) return;
      res.write(bytes.subarray(start, cut));
      start = cut;
    }
    if (abortAt === undefined) return void res.end();
    // Let the written bytes leave before the connection dies mid-body.
    await sleep(20);
    res.socket?.destroy();
  }
}

/** The SSE body of a streamed answer, with the byte offset at which each event ends. */
function streamBytes(request: Json, script: FakeGeminiScript, model: string): { bytes: Buffer; eventEnds: number[] } {
  if (script.rawStream !== undefined) {
    const bytes = Buffer.from(script.rawStream);
    return { bytes, eventEnds: [bytes.length] };
  }
  const events: unknown[] = script.events ? [...script.events] : streamEvents(request, script.reply, model);
  if (script.streamError) {
    const {
      afterEvents,
      status = 'INTERNAL',
      code = 500,
      message = 'An internal error has occurred.',
    } = script.streamError;
    events.splice(afterEvents, events.length, { error: { code, message, status } });
  }
  const encoded = events.map((event) => Buffer.from(`data: ${JSON.stringify(event)}\r\n\r\n`));
  let offset = 0;
  return { bytes: Buffer.concat(encoded), eventEnds: encoded.map((event) => (offset += event.length)) };
}

interface ReplyPlan {
  thoughts: string[];
  text: string[];
  calls: NonNullable<FakeGeminiReply['functionCalls']>;
  finishReason: string | undefined;
  candidates: number;
  promptTokens: number;
  responseId: string;
  modelVersion: string;
}

function plan(request: Json, reply: FakeGeminiReply | undefined, model: string): ReplyPlan {
  const pieces = (value: string | string[] | undefined) =>
    Array.isArray(value) ? value : (value?.match(/\s*\S+\s*/g) ?? []);
  const scripted = reply && (reply.text !== undefined || reply.thoughts || reply.functionCalls || reply.blockReason);
  const text = scripted ? reply.text : `You said: ${lastUserText(request)}`;
  return {
    thoughts: pieces(reply?.thoughts),
    text: pieces(text),
    calls: reply?.functionCalls ?? [],
    finishReason: reply?.finishReason === null ? undefined : (reply?.finishReason ?? 'STOP'),
    candidates: ((request.generationConfig as Json | undefined)?.candidateCount as number | undefined) ?? 1,
    promptTokens: tokens(JSON.stringify([request.systemInstruction, request.contents, request.tools])),
    responseId: reply?.responseId ?? randomBytes(9).toString('base64').replace(/[+/]/g, 'x'),
    modelVersion: reply?.modelVersion ?? model,
  };
}

/** The non-stream answer: everything the stream would say, in one response. */
function answer(request: Json, reply: FakeGeminiReply | undefined, model: string): Json {
  const p = plan(request, reply, model);
  const parts = [
    ...(p.thoughts.length ? [{ text: p.thoughts.join(''), thought: true }] : []),
    ...(p.text.length ? [{ text: p.text.join('') }] : []),
    ...callParts(p.calls),
  ];
  return response(p, reply, parts.length ? parts : [{ text: '' }], p.finishReason, finalUsage(p, reply));
}

/** The stream's events: thoughts, then text, each a piece at a time; the calls whole; the finish on the last. */
function streamEvents(request: Json, reply: FakeGeminiReply | undefined, model: string): Json[] {
  if (reply?.blockReason) return [answer(request, reply, model)];
  const p = plan(request, reply, model);
  const steps: Array<{ parts: Json[]; thoughts: number; candidates: number }> = [];
  let thoughts = 0;
  let candidates = 0;
  for (const piece of p.thoughts)
    steps.push({ parts: [{ text: piece, thought: true }], thoughts: (thoughts += tokens(piece)), candidates });
  for (const piece of p.text)
    steps.push({ parts: [{ text: piece }], thoughts, candidates: (candidates += tokens(piece)) });
  if (p.calls.length)
    steps.push({ parts: callParts(p.calls), thoughts, candidates: (candidates += callTokens(p.calls)) });
  if (steps.length === 0) steps.push({ parts: [{ text: '' }], thoughts, candidates });
  const final = finalUsage(p, reply);
  return steps.map((step, i) => {
    const last = i === steps.length - 1;
    const usage = last ? final : usageOf(p.promptTokens, step.candidates * p.candidates, step.thoughts);
    return response(p, reply, step.parts, last ? p.finishReason : undefined, usage);
  });
}

function response(
  p: ReplyPlan,
  reply: FakeGeminiReply | undefined,
  parts: Json[],
  finishReason: string | undefined,
  usage: FakeGeminiUsage,
): Json {
  const head = reply?.blockReason
    ? { promptFeedback: { blockReason: reply.blockReason } }
    : {
        candidates: Array.from({ length: p.candidates }, (_, index) => ({
          content: { parts, role: 'model' },
          ...(finishReason ? { finishReason } : {}),
          index,
        })),
      };
  return { ...head, usageMetadata: usage, modelVersion: p.modelVersion, responseId: p.responseId };
}

function finalUsage(p: ReplyPlan, reply: FakeGeminiReply | undefined): FakeGeminiUsage {
  if (reply?.blockReason) return { promptTokenCount: p.promptTokens, totalTokenCount: p.promptTokens, ...reply.usage };
  const candidates = p.text.reduce((sum, piece) => sum + tokens(piece), 0) + callTokens(p.calls);
  const thoughts = p.thoughts.reduce((sum, piece) => sum + tokens(piece), 0);
  const usage = { ...usageOf(p.promptTokens, candidates * p.candidates, thoughts), ...reply?.usage };
  return reply?.usage?.totalTokenCount === undefined ? { ...usage, totalTokenCount: sumOf(usage) } : usage;
}

function usageOf(prompt: number, candidates: number, thoughts: number): FakeGeminiUsage {
  const usage: FakeGeminiUsage = {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
  return { ...usage, totalTokenCount: sumOf(usage) };
}

function sumOf(usage: FakeGeminiUsage): number {
  return (usage.promptTokenCount ?? 0) + (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0);
}

function callParts(calls: ReplyPlan['calls']): Json[] {
  return calls.map(({ name, args, thoughtSignature }) => ({
    functionCall: { name, args: args ?? {} },
    ...(thoughtSignature ? { thoughtSignature } : {}),
  }));
}

function callTokens(calls: ReplyPlan['calls']): number {
  return calls.reduce((sum, call) => sum + tokens(call.name + JSON.stringify(call.args ?? {})), 0);
}

function embedAnswer(request: Json, script: FakeGeminiScript): Json {
  const requests = request.requests as Array<{
    content: { parts: Array<{ text: string }> };
    outputDimensionality?: number;
  }>;
  return {
    embeddings:
      script.embeddings?.map((values) => ({ values })) ??
      requests.map((r) => ({
        values: vectorFor(r.content.parts.map((part) => part.text).join(' '), r.outputDimensionality ?? 8),
      })),
  };
}

function vectorFor(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: dimensions }, (_, i) => digest[i % digest.length] / 255 - 0.5);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => value / norm);
}

function lastUserText(request: Json): string {
  const contents = (request.contents as Array<{ role?: string; parts: Json[] }>) ?? [];
  const user = [...contents].reverse().find((content) => (content.role ?? 'user') === 'user');
  return (user?.parts ?? [])
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join(' ')
    .trim();
}

function tokens(text: string): number {
  return Math.ceil(text.length / 4);
}
