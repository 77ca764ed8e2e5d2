import type { FinishReason } from '@app/common';
import type { OutputItem, ResponseObject, ResponsesRequest, ResponseStatus, ResponseUsage } from './responses.types';

export interface ResponseState {
  id: string;
  createdAt: number;
  status: ResponseStatus;
  output: OutputItem[];
  usage?: ResponseUsage;
  completedAt?: number;
  error?: { code: string; message: string };
  incompleteReason?: 'max_output_tokens' | 'content_filter';
}

/**
 * The `response` object (non-stream body and the payload of the lifecycle stream events): the state of this
 * response plus the request settings echoed back, every field the spec's `Response` schema requires. Nothing is
 * stored, so `store` is false whatever was asked and `previous_response_id` is null; `model` is the name the
 * client asked for.
 */
export function responseObject(request: ResponsesRequest, state: ResponseState): ResponseObject {
  return {
    id: state.id,
    object: 'response',
    created_at: state.createdAt,
    status: state.status,
    completed_at: state.completedAt ?? null,
    error: state.error ?? null,
    incomplete_details: state.incompleteReason ? { reason: state.incompleteReason } : null,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: request.model,
    output: state.output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: request.reasoning ?? null,
    store: false,
    temperature: request.temperature ?? null,
    text: request.text ?? { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? null,
    truncation: 'disabled',
    metadata: request.metadata ?? {},
    ...(state.usage ? { usage: state.usage } : {}),
  };
}

/** How a chat finish reason ends a response: `length` and `content_filter` leave it incomplete. */
export function outcomeOf(
  finishReason: FinishReason | null | undefined,
): Pick<ResponseState, 'status' | 'incompleteReason'> {
  if (finishReason === 'length') return { status: 'incomplete', incompleteReason: 'max_output_tokens' };
  if (finishReason === 'content_filter') return { status: 'incomplete', incompleteReason: 'content_filter' };
  return { status: 'completed' };
}
