import { GatewayError } from '@app/common';
import type { ResponsesRequest } from './responses.types';

const TOOL_CHOICE_MODES = new Set<unknown>(['none', 'auto', 'required']);

/**
 * Checks what the gateway and the translation need of a `POST /v1/responses` body; unknown fields pass.
 *
 * The gateway serves the Responses API statelessly: it keeps no responses and no items. So:
 * - `previous_response_id` and `conversation` (server-side history) are refused with a 400 that says to send
 *   the whole conversation in `input` with `store: false` — what Codex CLI does.
 * - `store: true` (the API's default, which the openai SDK, LangChain and the Vercel AI SDK leave on) is
 *   accepted, but nothing is stored and the response says `store: false`, so a client that looks knows the id
 *   cannot be referenced later. A client that then sends `item_reference` items (the Vercel AI SDK does with
 *   store on) gets a 400 from the input translation naming the fix.
 * - `background: true` is refused: its answer must be fetched later by id, which needs stored responses.
 */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (!isObject(body)) throw invalid('The request body must be a JSON object.', null);
  if (typeof body.model !== 'string' || body.model === '')
    throw invalid('"model" is required: a model id string.', 'model');
  if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
    throw invalid(
      'This gateway is stateless and keeps no responses, so "previous_response_id" cannot be resolved. Send the full conversation in "input" (earlier output items included) with "store": false.',
      'previous_response_id',
    );
  }
  if (body.conversation !== undefined && body.conversation !== null) {
    throw invalid(
      'This gateway is stateless and keeps no conversations. Send the full conversation in "input" with "store": false instead of "conversation".',
      'conversation',
    );
  }
  if (body.background === true) {
    throw invalid(
      'Background responses need stored responses, which this gateway does not keep. Leave "background" unset and use "stream": true for long requests.',
      'background',
    );
  }
  const input = body.input;
  if (typeof input !== 'string' && !(Array.isArray(input) && input.every(isObject))) {
    throw invalid('"input" is required: a string, or an array of input items (objects).', 'input');
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw invalid('"stream" must be a boolean.', 'stream');
  optional(body, 'instructions', 'string', '"instructions" must be a string.');
  optional(body, 'max_output_tokens', 'number', '"max_output_tokens" must be a positive integer.');
  optional(body, 'temperature', 'number', '"temperature" must be a number.');
  optional(body, 'top_p', 'number', '"top_p" must be a number.');
  optional(body, 'parallel_tool_calls', 'boolean', '"parallel_tool_calls" must be a boolean.');
  if (
    body.tools !== undefined &&
    body.tools !== null &&
    !(Array.isArray(body.tools) && body.tools.every((tool) => isObject(tool) && typeof tool.type === 'string'))
  ) {
    throw invalid('"tools" must be an array of tool objects, each with a "type".', 'tools');
  }
  const choice = body.tool_choice;
  if (
    choice !== undefined &&
    choice !== null &&
    !TOOL_CHOICE_MODES.has(choice) &&
    !(isObject(choice) && typeof choice.type === 'string')
  ) {
    throw invalid('"tool_choice" must be "none", "auto", "required" or an object with a "type".', 'tool_choice');
  }
  for (const key of ['reasoning', 'text', 'metadata'] as const) {
    if (body[key] !== undefined && body[key] !== null && !isObject(body[key]))
      throw invalid(`"${key}" must be an object.`, key);
  }
  const { stream, ...rest } = body;
  return { ...rest, ...(typeof stream === 'boolean' ? { stream } : {}) } as ResponsesRequest;
}

function optional(
  body: Record<string, unknown>,
  key: string,
  type: 'string' | 'number' | 'boolean',
  message: string,
): void {
  const value = body[key];
  if (value !== undefined && value !== null && typeof value !== type) throw invalid(message, key);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(message: string, param: string | null): GatewayError {
  return new GatewayError('invalid_request_error', message, { param });
}
