import { describedObject, JsonSchema } from './json-schema';

/**
 * Our own wire shapes, briefly: the fields the gateway reads or always writes, with every other field let
 * through (`additionalProperties`), as the gateway itself does. The full types are in
 * libs/common/src/openai/chat.types.ts and libs/inbound.
 */
const str = { type: 'string' };
const int = { type: 'integer' };
const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });

const chatMessage = describedObject('A message: `role` and `content` (a string or content parts), tool calls.', {
  role: { enum: ['system', 'developer', 'user', 'assistant', 'tool'] },
  content: {},
});

export const chatCompletionRequest: JsonSchema = {
  ...describedObject('An OpenAI Chat Completions request.', {
    model: str,
    messages: { type: 'array', items: chatMessage },
    stream: { type: 'boolean' },
    stream_options: nullable(describedObject('`include_usage`: a last chunk with the usage.')),
    max_tokens: nullable(int),
    max_completion_tokens: nullable(int),
    temperature: nullable({ type: 'number' }),
    tools: { type: 'array', items: describedObject('A tool definition.') },
    tool_choice: {},
    stop: { anyOf: [str, { type: 'array', items: str }, { type: 'null' }] },
    user: str,
  }),
  required: ['model', 'messages'],
};

const usage = describedObject('Token usage.', { prompt_tokens: int, completion_tokens: int, total_tokens: int });

export const chatCompletionResponse: JsonSchema = describedObject('A chat completion (`object: chat.completion`).', {
  id: str,
  object: { const: 'chat.completion' },
  created: int,
  model: { ...str, description: 'The model that served the request.' },
  choices: { type: 'array', items: describedObject('`index`, `message`, `finish_reason`.') },
  usage,
});

export const embeddingsRequest: JsonSchema = {
  ...describedObject('An OpenAI embeddings request.', {
    model: str,
    input: { anyOf: [str, { type: 'array' }] },
    encoding_format: { enum: ['float', 'base64'] },
    dimensions: int,
  }),
  required: ['model', 'input'],
};

export const embeddingsResponse: JsonSchema = describedObject('`object: list` of embeddings.', {
  object: { const: 'list' },
  data: { type: 'array', items: describedObject('`index`, `embedding`.') },
  model: str,
  usage,
});

export const imageGenerationRequest: JsonSchema = {
  ...describedObject('An OpenAI image generation request; `n` and `size` price it.', {
    model: str,
    prompt: str,
    n: nullable({ type: 'integer', minimum: 1, maximum: 10 }),
    size: nullable({ ...str, description: '`WIDTHxHEIGHT` or `auto`; priced by `pricing.per_image`.' }),
    quality: nullable(str),
    response_format: nullable({ enum: ['url', 'b64_json'] }),
    style: nullable(str),
    user: str,
  }),
  required: ['model', 'prompt'],
};

export const imagesResponse: JsonSchema = {
  ...describedObject('The generated images, as the upstream sent them.', {
    created: int,
    data: {
      type: 'array',
      items: describedObject('`url` or `b64_json`, and `revised_prompt` where the model gives one.'),
    },
    usage: describedObject(
      'GPT image models: `input_tokens`, `output_tokens`, `total_tokens` (recorded; images are priced per image).',
    ),
  }),
  required: ['created', 'data'],
};

export const responsesRequest: JsonSchema = {
  ...describedObject('An OpenAI Responses request (stateless: no `previous_response_id`).', {
    model: str,
    input: { anyOf: [str, { type: 'array' }] },
    instructions: str,
    stream: { type: 'boolean' },
    max_output_tokens: int,
    tools: { type: 'array' },
  }),
  required: ['model', 'input'],
};

export const responsesResponse: JsonSchema = describedObject('A response (`object: response`).', {
  id: str,
  object: { const: 'response' },
  status: str,
  model: str,
  output: { type: 'array' },
  usage: describedObject('`input_tokens`, `output_tokens`, `total_tokens`.'),
});

export const messagesRequest: JsonSchema = {
  ...describedObject('An Anthropic Messages request.', {
    model: str,
    max_tokens: int,
    messages: { type: 'array', items: describedObject('`role` (`user`|`assistant`) and `content`.') },
    system: {},
    stream: { type: 'boolean' },
    tools: { type: 'array' },
  }),
  required: ['model', 'max_tokens', 'messages'],
};

export const countTokensRequest: JsonSchema = {
  ...describedObject('A Messages request without `max_tokens`.', {
    model: str,
    messages: { type: 'array' },
    system: {},
    tools: { type: 'array' },
  }),
  required: ['model', 'messages'],
};

export const messagesResponse: JsonSchema = describedObject('A message (`type: message`).', {
  id: str,
  type: { const: 'message' },
  role: { const: 'assistant' },
  model: str,
  content: { type: 'array' },
  stop_reason: nullable(str),
  usage: describedObject('`input_tokens`, `output_tokens`.'),
});

export const modelView: JsonSchema = describedObject('A model (`object: model`).', {
  id: str,
  object: { const: 'model' },
  created: int,
  owned_by: str,
});

const allowList = nullable({ type: 'array', items: str });
const timestamp = { type: 'string', format: 'date-time' };

export const teamView: JsonSchema = describedObject('A team.', { id: str, name: str, created_at: timestamp });

/**
 * Set while anomaly detection keeps a key or project suspended; null otherwise. `resumed_at`: when an admin last
 * lifted a suspension (a new one within the same anomaly window is not imposed again).
 */
const suspensionFields = {
  suspended_at: nullable(timestamp),
  suspended_reason: nullable(str),
  suspended_by: nullable(str),
  resumed_at: nullable(timestamp),
};

export const projectView: JsonSchema = describedObject(
  'A project, its allow-lists (null: no limit), its anomaly action and suspension.',
  {
    id: str,
    name: str,
    team_id: str,
    models: allowList,
    tiers: allowList,
    on_anomaly: { enum: ['none', 'suspend'] },
    ...suspensionFields,
    created_at: timestamp,
  },
);

export const apiKeyView: JsonSchema = describedObject(
  'A gateway key, masked; `key` only in the answer that created it.',
  {
    id: str,
    key: { ...str, description: 'The key itself: in the create and rotate answers only.' },
    key_prefix: str,
    masked_key: str,
    name: str,
    owner: nullable(str),
    project_id: str,
    environment: str,
    models: allowList,
    tiers: allowList,
    allowed_ips: allowList,
    expires_at: nullable(timestamp),
    revoked_at: nullable(timestamp),
    last_used_at: nullable(timestamp),
    ...suspensionFields,
    created_at: timestamp,
  },
);

export const tokenView: JsonSchema = describedObject('An admin token; `token` only in the answer that created it.', {
  id: str,
  name: str,
  role: { enum: ['owner', 'auditor', 'team_admin'] },
  team_ids: { type: 'array', items: str },
  token: { ...str, description: 'The token itself: in the create and rotate answers only.' },
});

/** OpenAI's error body: every route but the Messages API's. */
export const openAiError: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'param', 'code'],
      properties: { message: str, type: str, param: nullable(str), code: nullable(str) },
    },
  },
};

/** Anthropic's error body: the Messages API's routes, so Anthropic SDKs parse it. */
export const anthropicError: JsonSchema = {
  type: 'object',
  required: ['type', 'error', 'request_id'],
  properties: {
    type: { const: 'error' },
    request_id: { ...str, description: 'The `x-request-id` of the request.' },
    error: { type: 'object', required: ['type', 'message'], properties: { type: str, message: str } },
  },
};
