import { ChatCompletionRequest, ChatMessage, ContentPart, GatewayError, ToolDefinition } from '@app/common';
import { dataUrlPart, imagePart } from './gemini-media.mapper';
import { toGeminiSchema } from './gemini-schema.mapper';
import { thoughtSignatureOf } from './gemini-tool-call-id.mapper';
import type {
  GeminiContent,
  GeminiFunctionCallingMode,
  GeminiFunctionDeclaration,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiRequest,
  GeminiRole,
  GeminiSchema,
} from './gemini.types';

export interface MappedGeminiRequest {
  body: GeminiRequest;
  /** Request parameters (or content-part types) Gemini cannot honour, left out of `body`. */
  droppedParams: string[];
}

/** Parameters this module translates; `model` and the stream flags are the adapter's business. */
const MAPPED_PARAMS = new Set([
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'n',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'response_format',
  'tools',
  'tool_choice',
  'reasoning_effort',
]);

/** Values that ask for what Gemini does anyway, so leaving them out drops nothing. */
const GEMINI_DEFAULTS: Record<string, unknown> = { parallel_tool_calls: true, logprobs: false };

/** Thinking budgets Gemini's own OpenAI-compatible endpoint uses for each `reasoning_effort`. */
const THINKING_BUDGETS: Record<string, number> = { none: 0, minimal: 1024, low: 1024, medium: 8192, high: 24576 };

const TOOL_CHOICE_MODES: Record<string, GeminiFunctionCallingMode> = { auto: 'AUTO', none: 'NONE', required: 'ANY' };

const AUDIO_TYPES: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mp3' };

/**
 * An OpenAI chat request as a Gemini `generateContent` body. Throws `invalid_request_error` for input no
 * upstream could accept (unparseable tool-call arguments, a tool result for an unknown call).
 */
export function toGeminiRequest(request: ChatCompletionRequest): MappedGeminiRequest {
  const dropped = new Set<string>();
  for (const [key, value] of Object.entries(request)) {
    if (!MAPPED_PARAMS.has(key) && value != null && GEMINI_DEFAULTS[key] !== value) dropped.add(key);
  }
  const { contents, system } = toContents(request.messages, dropped);
  const body: GeminiRequest = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  const declarations = toFunctionDeclarations(request.tools ?? [], dropped);
  if (declarations.length > 0) {
    body.tools = [{ functionDeclarations: declarations }];
    const toolConfig = toToolConfig(request.tool_choice, dropped);
    if (toolConfig) body.toolConfig = toolConfig;
  }
  const generationConfig = toGenerationConfig(request, dropped);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return { body, droppedParams: [...dropped] };
}

function toContents(
  messages: ChatMessage[],
  dropped: Set<string>,
): { contents: GeminiContent[]; system: Array<{ text: string }> } {
  const contents: GeminiContent[] = [];
  const system: Array<{ text: string }> = [];
  // OpenAI tool results name the call; Gemini's name the function, found in the assistant turn that called it.
  const functionNames = new Map<string, string>();
  messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer': {
        // Gemini has one system instruction, so system messages from anywhere in the conversation join it.
        const text = textOf(message.content);
        if (text) system.push({ text });
        return;
      }
      case 'user':
        return append(contents, 'user', toParts(message.content, dropped));
      case 'assistant':
        return append(contents, 'model', assistantParts(message, i, functionNames));
      case 'tool':
        return append(contents, 'user', [functionResponsePart(message, i, functionNames)]);
      default:
        throw invalid(`messages[${i}].role`, `The role "${message.role}" is not supported by this model's provider.`);
    }
  });
  return { contents, system };
}

/** Gemini wants turns to alternate, so consecutive same-role messages (e.g. parallel tool results) merge. */
function append(contents: GeminiContent[], role: GeminiRole, parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents[contents.length - 1];
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

function toParts(content: ChatMessage['content'], dropped: Set<string>): GeminiPart[] {
  if (typeof content === 'string') return content ? [{ text: content }] : [];
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => {
    const converted = contentPart(part);
    if (converted === undefined) dropped.add(part.type);
    return converted && converted.text !== '' ? [converted] : [];
  });
}

/** One OpenAI content part as a Gemini part; `undefined` when Gemini cannot take it. */
function contentPart(part: ContentPart): GeminiPart | undefined {
  const fields = part as Record<string, unknown>;
  switch (part.type) {
    case 'text':
      return typeof fields.text === 'string' ? { text: fields.text } : undefined;
    case 'image_url': {
      const url = (fields.image_url as { url?: unknown } | undefined)?.url;
      return typeof url === 'string' ? imagePart(url) : undefined;
    }
    case 'input_audio': {
      const audio = fields.input_audio as { data?: unknown; format?: unknown } | undefined;
      const mimeType = typeof audio?.format === 'string' ? AUDIO_TYPES[audio.format] : undefined;
      return mimeType && typeof audio?.data === 'string' ? { inlineData: { mimeType, data: audio.data } } : undefined;
    }
    case 'file': {
      const data = (fields.file as { file_data?: unknown } | undefined)?.file_data;
      return typeof data === 'string' ? dataUrlPart(data) : undefined;
    }
    default:
      return undefined;
  }
}

function assistantParts(message: ChatMessage, i: number, functionNames: Map<string, string>): GeminiPart[] {
  // Only the assistant's text is replayed: a refusal part is not something the model said to continue from.
  const text = textOf(message.content);
  const parts: GeminiPart[] = text ? [{ text }] : [];
  (message.tool_calls ?? []).forEach((call, j) => {
    const name = call.function?.name;
    if (typeof name !== 'string' || !name)
      throw invalid(`messages[${i}].tool_calls[${j}].function.name`, 'A tool call needs a function name.');
    functionNames.set(call.id, name);
    const signature = typeof call.id === 'string' ? thoughtSignatureOf(call.id) : undefined;
    parts.push({
      functionCall: {
        name,
        args: parseArguments(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`),
      },
      ...(signature ? { thoughtSignature: signature } : {}),
    });
  });
  return parts;
}

function parseArguments(text: unknown, param: string): Record<string, unknown> {
  if (text === undefined || text === null || text === '') return {};
  if (typeof text !== 'string') throw invalid(param, 'Tool-call arguments must be a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(param, 'Tool-call arguments must be a JSON object.');
  }
  if (!isPlainObject(parsed)) throw invalid(param, 'Tool-call arguments must be a JSON object.');
  return parsed;
}

function functionResponsePart(message: ChatMessage, i: number, functionNames: Map<string, string>): GeminiPart {
  const name = typeof message.tool_call_id === 'string' ? functionNames.get(message.tool_call_id) : undefined;
  if (!name) {
    throw invalid(
      `messages[${i}].tool_call_id`,
      `No earlier assistant message made a tool call with id "${String(message.tool_call_id)}".`,
    );
  }
  return { functionResponse: { name, response: toolResponse(textOf(message.content)) } };
}

/** Gemini needs a JSON object; anything else (text, an array, a number) is wrapped as `{result: …}`. */
function toolResponse(text: string): Record<string, unknown> {
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // Plain text: sent as the result string.
  }
  return isPlainObject(value) ? value : { result: value };
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

function toFunctionDeclarations(tools: ToolDefinition[], dropped: Set<string>): GeminiFunctionDeclaration[] {
  return tools.flatMap((tool) => {
    if (tool.type !== 'function' || typeof tool.function?.name !== 'string') {
      dropped.add('tools');
      return [];
    }
    const { name, description, parameters } = tool.function;
    const schema = parameters ? functionParameters(parameters) : undefined;
    return [{ name, ...(description ? { description } : {}), ...(schema ? { parameters: schema } : {}) }];
  });
}

/** Gemini rejects an object schema without properties, so a function that takes none declares no parameters. */
function functionParameters(parameters: Record<string, unknown>): GeminiSchema | undefined {
  const schema = toGeminiSchema(parameters);
  return schema.properties ? schema : undefined;
}

function toToolConfig(choice: unknown, dropped: Set<string>): GeminiRequest['toolConfig'] {
  if (choice == null) return undefined;
  if (typeof choice === 'string' && TOOL_CHOICE_MODES[choice])
    return { functionCallingConfig: { mode: TOOL_CHOICE_MODES[choice] } };
  const name = (choice as { type?: unknown; function?: { name?: unknown } }).function?.name;
  if ((choice as { type?: unknown }).type === 'function' && typeof name === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  dropped.add('tool_choice');
  return undefined;
}

function toGenerationConfig(request: ChatCompletionRequest, dropped: Set<string>): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  const number = (key: string) => (typeof request[key] === 'number' ? request[key] : undefined);
  const set = <K extends keyof GeminiGenerationConfig>(key: K, value: GeminiGenerationConfig[K] | undefined) => {
    if (value !== undefined) config[key] = value;
  };
  set('maxOutputTokens', number('max_completion_tokens') ?? number('max_tokens'));
  set('temperature', number('temperature'));
  set('topP', number('top_p'));
  set('seed', number('seed'));
  set('presencePenalty', number('presence_penalty'));
  set('frequencyPenalty', number('frequency_penalty'));
  const n = number('n');
  if (n !== undefined && n !== 1) config.candidateCount = n;
  const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (Array.isArray(stop) && stop.length > 0) config.stopSequences = stop;
  Object.assign(config, responseFormat(request.response_format, dropped), thinking(request.reasoning_effort, dropped));
  return config;
}

function responseFormat(format: unknown, dropped: Set<string>): GeminiGenerationConfig {
  if (format == null) return {};
  const { type, json_schema } = format as { type?: unknown; json_schema?: { schema?: unknown } };
  if (type === 'text') return {};
  if (type === 'json_object') return { responseMimeType: 'application/json' };
  if (type === 'json_schema') {
    const schema = json_schema?.schema;
    return {
      responseMimeType: 'application/json',
      ...(isPlainObject(schema) ? { responseSchema: toGeminiSchema(schema) } : {}),
    };
  }
  dropped.add('response_format');
  return {};
}

function thinking(effort: unknown, dropped: Set<string>): GeminiGenerationConfig {
  if (effort == null) return {};
  const budget = typeof effort === 'string' ? THINKING_BUDGETS[effort] : undefined;
  if (budget === undefined) {
    dropped.add('reasoning_effort');
    return {};
  }
  // A client that sets an effort wants to see the reasoning: Gemini sends thought summaries only when asked.
  return { thinkingConfig: { thinkingBudget: budget, includeThoughts: budget > 0 } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function invalid(param: string, message: string): GatewayError {
  return new GatewayError('invalid_request_error', message, { param });
}
