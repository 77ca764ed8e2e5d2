import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import {
  anthropicDriver,
  geminiDriver,
  openAiWireDriver,
  ProviderDriver,
  driverCatalog,
} from '../conformance/provider-drivers';
import { wireCheck } from '../utils/openai-wire';
import { openApiSchemas } from '../utils/openapi-schema';
import { startTestGateway, TestGateway } from '../utils/test-gateway';

/**
 * What Claude Code and Codex CLI really send (test/fixtures/agents, recorded from the installed clients),
 * replayed through the gateway as the client sends it — body, path and headers — to a deployment of each
 * wire format. Each call must answer 200 with an answer the client's own SDK accepts, after exactly one
 * request the strict fake upstream accepted.
 */
const FIXTURES = resolve(__dirname, '../fixtures/agents');

type Json = Record<string, any>;
interface RecordedHeaders {
  method: string;
  url: string;
  headers: Record<string, string>;
}

const readFixture = <T = Json>(file: string): T => JSON.parse(readFileSync(resolve(FIXTURES, file), 'utf8')) as T;

/** A recorded call: its body, and the recorded request (from the client's headers file) that carried it. */
interface Replay {
  file: string;
  body: Json;
  request: RecordedHeaders;
}

function replay(file: string, headersFile: string, index: number): Replay {
  return { file, body: readFixture(file), request: readFixture<RecordedHeaders[]>(headersFile)[index] };
}

// claude-code-2.1.197.headers.json holds HEAD /, then the title call's headers, then the turn's.
const MESSAGES: Replay[] = [
  replay('claude-code-turn1.json', 'claude-code.headers.json', 0),
  replay('claude-code-turn2.json', 'claude-code.headers.json', 0),
  replay('claude-code-2.1.197-title.json', 'claude-code-2.1.197.headers.json', 1),
  replay('claude-code-2.1.197-turn2.json', 'claude-code-2.1.197.headers.json', 2),
];
const RESPONSES: Replay[] = [
  replay('codex-turn1.json', 'codex.headers.json', 0),
  replay('codex-turn2.json', 'codex.headers.json', 0),
  replay('codex-fallback-model-turn2.json', 'codex.headers.json', 0),
];

/** The model names the clients asked for, all aliases of the one catalog model. */
const RECORDED_MODELS = [...new Set([...MESSAGES, ...RESPONSES].map((call) => call.body.model as string))];

/** Headers the SDK or the connection sets itself; everything else is sent as recorded. */
const TRANSPORT_HEADERS = new Set(['authorization', 'x-api-key', 'connection', 'accept-encoding', 'content-type']);

function clientHeaders(request: RecordedHeaders, omit: string[] = []): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name) && !omit.includes(name)),
  );
}

/** A fetch that remembers every HTTP response the SDK got (status and headers), fetched `through` another fetch. */
function recordingFetch(responses: Response[], through: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await through(input, init);
    responses.push(response);
    return response;
  };
}

/** How many function declarations an upstream request offers, in any of the three wire formats. */
function upstreamToolCount(body: Json): number {
  const tools: Json[] = body.tools ?? [];
  return tools.reduce((count, tool) => count + (tool.functionDeclarations?.length ?? 1), 0);
}

/** A Responses request's tools a chat model can call: functions, custom tools and each namespace member. */
function callableResponsesTools(tools: Json[]): number {
  return tools.reduce((count, tool) => {
    if (tool.type === 'function' || tool.type === 'custom') return count + 1;
    return tool.type === 'namespace' ? count + (tool.tools as Json[]).length : count;
  }, 0);
}

/** The hosted tools (web_search, tool_search, …) only OpenAI's servers run. */
function hostedResponsesTools(tools: Json[]): string[] {
  return tools.map((tool) => tool.type as string).filter((type) => !['function', 'custom', 'namespace'].includes(type));
}

const schemas = openApiSchemas();
if (!schemas)
  console.warn('agent-replay: the OpenAI OpenAPI document is missing; upstream requests are not schema-checked');

const DRIVERS: ProviderDriver[] = [openAiWireDriver('openai', 'openai'), anthropicDriver(), geminiDriver()];

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))('agent replay via %s', (_name, driver) => {
  // Every Responses body and stream event is checked on the wire against OpenAI's published OpenAPI document.
  const wire = wireCheck(driver.name);
  let gateway: TestGateway;
  let key: string;

  beforeAll(async () => {
    await driver.start();
    gateway = await startTestGateway({ catalog: driverCatalog(driver, { name: 'agent', aliases: RECORDED_MODELS }) });
    key = (await gateway.createKey()).key;
  });

  afterAll(async () => {
    await gateway?.close();
    await driver.stop();
  });

  /** The one request the fake received since `before`, which it must have accepted. */
  function acceptedUpstreamRequest(before: number) {
    const received = driver.upstreamRequests().slice(before);
    expect(received.map(({ status, refusal }) => ({ status, refusal }))).toEqual([{ status: 200 }]);
    return received[0];
  }

  it.each(MESSAGES.map((call) => [call.file, call] as const))(
    'Claude Code: %s to /v1/messages?beta=true',
    async (_file, { body, request }) => {
      expect(request.url).toBe('/v1/messages?beta=true');
      const responses: Response[] = [];
      const client = new Anthropic({
        authToken: key,
        apiKey: null,
        baseURL: gateway.baseUrl,
        maxRetries: 0,
        fetch: recordingFetch(responses),
      });
      const reply = body.output_config?.format ? '{"title":"Run echo hi"}' : 'done';
      driver.scriptToolCalls(reply, []);
      const before = driver.upstreamRequests().length;

      // beta.messages sends `?beta=true` and the betas as `anthropic-beta`, as Claude Code does.
      const betas = request.headers['anthropic-beta'].split(',');
      const stream = client.beta.messages.stream(
        { ...(body as Anthropic.Beta.MessageCreateParamsStreaming), betas },
        { headers: clientHeaders(request, ['anthropic-beta']) },
      );
      const events: string[] = [];
      stream.on('streamEvent', (event) => events.push(event.type));
      const message = await stream.finalMessage();

      expect(responses.map((response) => response.status)).toEqual([200]);
      // Claude Code treats an answer without message_delta and message_stop as cut off and asks again.
      expect(events[0]).toBe('message_start');
      expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
      expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: reply })]);
      expect(message.stop_reason).toBe('end_turn');
      const upstream = acceptedUpstreamRequest(before);
      expect(upstreamToolCount(upstream.body as Json)).toBe(body.tools.length);
      if (driver.name === 'anthropic') {
        expect(upstream.body).toEqual({ ...body, model: driver.upstreamModel });
        expect(upstream.headers['anthropic-beta']).toBe(request.headers['anthropic-beta']);
        expect(upstream.headers['anthropic-version']).toBe(request.headers['anthropic-version']);
      }
      if (driver.name === 'openai' && schemas) {
        expect(schemas.errors('CreateChatCompletionRequest', upstream.body)).toEqual([]);
      }
    },
  );

  it.each(RESPONSES.map((call) => [call.file, call] as const))(
    'Codex CLI: %s to /v1/responses',
    async (_file, { body, request }) => {
      expect(request.url).toBe('/v1/responses');
      const responses: Response[] = [];
      const client = new OpenAI({
        apiKey: key,
        baseURL: `${gateway.baseUrl}/v1`,
        maxRetries: 0,
        fetch: recordingFetch(responses, wire.fetch),
      });
      driver.scriptToolCalls('done', []);
      const before = driver.upstreamRequests().length;

      const stream = client.responses.stream(body as OpenAI.Responses.ResponseCreateParamsStreaming, {
        headers: clientHeaders(request),
      });
      const events: OpenAI.Responses.ResponseStreamEvent[] = [];
      stream.on('event', (event) => events.push(event));
      const response = await stream.finalResponse();

      expect(responses.map((http) => http.status)).toEqual([200]);
      // Hosted tools no chat model can run are left out, and said so.
      expect(responses[0].headers.get('x-switchyard-dropped-tools')).toBe(hostedResponsesTools(body.tools).join(','));
      expect(response.status).toBe('completed');
      expect(response.output_text).toBe('done');
      expect(events.map((event) => event.sequence_number)).toEqual(events.map((_event, i) => i));
      expect(events.at(-1)?.type).toBe('response.completed');
      const upstream = acceptedUpstreamRequest(before);
      expect(upstreamToolCount(upstream.body as Json)).toBe(callableResponsesTools(body.tools));
      if (driver.name === 'openai' && schemas) {
        expect(schemas.errors('CreateChatCompletionRequest', upstream.body)).toEqual([]);
      }
    },
  );
});
