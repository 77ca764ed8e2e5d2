import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from '../fakes/fake-http';
import { FakeOpenAiServer } from '../fakes/fake-openai.server';
import type { TestGateway } from './test-gateway';

export const ROUTING_PROVIDER_KEY = 'sk-routing-canary-provider-key-4d2c';

/** A fake OpenAI upstream that also notes when each request arrived. */
export class TimedFakeOpenAi extends FakeOpenAiServer {
  readonly receivedAt: number[] = [];

  protected override handle(request: RecordedRequest, res: ServerResponse): Promise<void> {
    this.receivedAt.push(Date.now());
    return super.handle(request, res);
  }

  /** Chat completion calls received so far. */
  get chatCalls(): number {
    return this.calls('/chat/completions').length;
  }
}

/** Several fake upstreams, each its own provider (`id` = its name) for the catalog. */
export interface Upstreams {
  fakes: Record<string, TimedFakeOpenAi>;
  providers: Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startUpstreams(...ids: string[]): Promise<Upstreams> {
  const fakes: Record<string, TimedFakeOpenAi> = {};
  const providers: Array<Record<string, unknown>> = [];
  for (const id of ids) {
    fakes[id] = new TimedFakeOpenAi(ROUTING_PROVIDER_KEY);
    providers.push({ id, type: 'openai', base_url: `${await fakes[id].start()}/v1`, api_key: ROUTING_PROVIDER_KEY });
  }
  return {
    fakes,
    providers,
    stop: () => Promise.all(Object.values(fakes).map((fake) => fake.stop())).then(() => undefined),
  };
}

export interface ChatReply {
  status: number;
  headers: Headers;
  body: any;
  elapsedMs: number;
}

/** One non-stream chat completion through the gateway, with status, headers and timing. */
export async function postChat(
  gateway: TestGateway,
  key: string,
  model: string,
  content = 'hello',
): Promise<ChatReply> {
  const started = Date.now();
  const response = await openChat(gateway, key, { model, messages: [{ role: 'user', content }] });
  return {
    status: response.status,
    headers: response.headers,
    body: await response.json(),
    elapsedMs: Date.now() - started,
  };
}

export function openChat(gateway: TestGateway, key: string, body: object): Promise<Response> {
  return gateway.fetch(`${gateway.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface SseEventAt {
  data: string;
  /** ms since the request was sent. */
  at: number;
}

/** Every SSE `data:` payload of a streamed response, with its arrival time. */
export async function readSse(response: Response, sentAt: number): Promise<SseEventAt[]> {
  const events: SseEventAt[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const piece of response.body!) {
    buffer += decoder.decode(piece, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (block.startsWith('data: ')) events.push({ data: block.slice(6), at: Date.now() - sentAt });
    }
  }
  return events;
}

/** The error object of the stream's last event, if it is an error event. */
export function streamError(events: SseEventAt[]): { code: string; type: string; message: string } | undefined {
  const last = events.at(-1);
  if (!last || last.data === '[DONE]') return undefined;
  return JSON.parse(last.data).error;
}
