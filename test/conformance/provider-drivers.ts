import { FakeAnthropicServer } from '../fakes/fake-anthropic.server';
import { FakeGeminiServer } from '../fakes/fake-gemini.server';
import { FakeOpenAiServer, OpenAiDialect } from '../fakes/fake-openai.server';
import type { RecordedRequest } from '../fakes/fake-http';

/** A request the fake upstream received, with the status it answered and why, when it turned it away. */
export interface UpstreamRequest {
  headers: RecordedRequest['headers'];
  body: unknown;
  status?: number;
  refusal?: string;
}

/** The conformance suite's view of one provider: its fake, its catalog entry, and how to script it. */
export interface ProviderDriver {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The `providers:` entry that points the gateway at the fake. */
  providerConfig(): Record<string, unknown>;
  /** The upstream model id the catalog deployment uses. */
  upstreamModel: string;
  /** The next reply: some text, then these tool calls, in one turn. */
  scriptToolCalls(text: string, calls: Array<{ name: string; arguments: string }>): void;
  /** The next reply: this text, cut by the output limit (`length`) or the provider's safety filter. */
  scriptCutOff(text: string, reason: CutOff): void;
  /** The next reply fails as this error class. */
  scriptError(kind: 'rate_limited' | 'overloaded' | 'bad_request' | 'server_error'): void;
  /** Makes every later request fail authentication, as with a wrong provider key. */
  breakCredentials(): void;
  upstreamCalls(): number;
  /** Every request the fake received, in order. */
  upstreamRequests(): UpstreamRequest[];
}

/** OpenAI's finish reasons for an answer the model did not end itself. */
export type CutOff = 'length' | 'content_filter';

export const PROVIDER_KEY = 'sk-conformance-canary-provider-key';

/**
 * A catalog whose one model, `chat` unless `model` renames it, is served by the driver's fake with one attempt:
 * the suites on drivers check translation, and retries would hide the error under test.
 */
export function driverCatalog(driver: ProviderDriver, model: Record<string, unknown> = {}) {
  return {
    providers: [driver.providerConfig()],
    models: [
      {
        name: 'chat',
        deployments: [{ provider: driver.name, model: driver.upstreamModel }],
        retry: { max_attempts: 1 },
        ...model,
      },
    ],
  };
}

/** OpenAI, Azure OpenAI (deployment URLs and v1) and DeepSeek share the OpenAI fake, each in its dialect. */
export function openAiWireDriver(
  name: string,
  dialect: OpenAiDialect,
  extra: Record<string, unknown> = {},
): ProviderDriver {
  const fake = new FakeOpenAiServer(PROVIDER_KEY, dialect);
  let baseUrl = '';
  const type = { openai: 'openai', azure: 'azure-openai', deepseek: 'deepseek' }[dialect];
  return {
    name,
    upstreamModel: dialect === 'azure' ? 'my-gpt-deployment' : 'upstream-model',
    async start() {
      baseUrl = await fake.start();
    },
    stop: () => fake.stop(),
    providerConfig: () => ({
      id: name,
      type,
      base_url: dialect === 'openai' ? `${baseUrl}/v1` : baseUrl,
      api_key: PROVIDER_KEY,
      ...extra,
    }),
    scriptToolCalls: (text, calls) => fake.script({ text, toolCalls: calls }),
    scriptCutOff: (text, reason) => fake.script({ text, finishReason: reason }),
    scriptError(kind) {
      const status = { rate_limited: 429, overloaded: 503, bad_request: 400, server_error: 500 }[kind];
      fake.script({ status, headers: kind === 'rate_limited' ? { 'retry-after': '1' } : {} });
    },
    breakCredentials() {
      fake.apiKey = 'sk-a-key-the-gateway-does-not-have';
    },
    upstreamCalls: () => fake.calls('/chat/completions').length,
    upstreamRequests: () => fake.requests.map(({ headers, body, status }) => ({ headers, body, status })),
  };
}

/** Anthropic's Messages API behind the gateway, against the strict fake. */
export function anthropicDriver(): ProviderDriver {
  const fake = new FakeAnthropicServer(PROVIDER_KEY);
  let baseUrl = '';
  return {
    name: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5',
    async start() {
      baseUrl = await fake.start();
    },
    stop: () => fake.stop(),
    providerConfig: () => ({ id: 'anthropic', type: 'anthropic', base_url: baseUrl, api_key: PROVIDER_KEY }),
    scriptToolCalls: (text, calls) =>
      fake.script({
        content: [
          ...(text ? [{ type: 'text' as const, text }] : []),
          ...calls.map((call) => ({ type: 'tool_use' as const, name: call.name, input: JSON.parse(call.arguments) })),
        ],
      }),
    scriptCutOff: (text, reason) =>
      fake.script({
        content: [{ type: 'text', text }],
        stopReason: { length: 'max_tokens', content_filter: 'refusal' }[reason],
      }),
    scriptError: (kind) =>
      fake.script({
        status: { rate_limited: 429, overloaded: 529, bad_request: 400, server_error: 500 }[kind],
        headers: kind === 'rate_limited' ? { 'retry-after': '1' } : {},
      }),
    breakCredentials() {
      fake.apiKey = 'sk-a-key-the-gateway-does-not-have';
    },
    upstreamCalls: () => fake.calls('/v1/messages').length,
    upstreamRequests: () =>
      fake.requests.map((request) => ({
        headers: request.headers,
        body: request.body,
        status: request.status,
        refusal: fake.rejections.find((rejection) => rejection.request === request)?.error.message,
      })),
  };
}

/** Gemini's generateContent API behind the gateway, against the strict fake. */
export function geminiDriver(): ProviderDriver {
  const fake = new FakeGeminiServer({ apiKey: PROVIDER_KEY });
  let baseUrl = '';
  return {
    name: 'gemini',
    upstreamModel: 'gemini-2.5-flash',
    async start() {
      baseUrl = await fake.start();
    },
    stop: () => fake.stop(),
    providerConfig: () => ({ id: 'gemini', type: 'gemini', base_url: baseUrl, api_key: PROVIDER_KEY }),
    scriptToolCalls: (text, calls) =>
      fake.enqueue({
        reply: { text, functionCalls: calls.map((call) => ({ name: call.name, args: JSON.parse(call.arguments) })) },
      }),
    scriptCutOff: (text, reason) =>
      fake.enqueue({ reply: { text, finishReason: { length: 'MAX_TOKENS', content_filter: 'SAFETY' }[reason] } }),
    scriptError: (kind) =>
      fake.enqueue({
        error: {
          status: { rate_limited: 429, overloaded: 503, bad_request: 400, server_error: 500 }[kind],
          message: `scripted ${kind}`,
        },
      }),
    breakCredentials() {
      fake.apiKey = 'AIzaSyNotTheKeyTheGatewayHas000000000';
    },
    upstreamCalls: () => fake.requests.length,
    upstreamRequests: () =>
      fake.requests.map(({ headers, body, status, error }) => ({ headers, body, status, refusal: error })),
  };
}
