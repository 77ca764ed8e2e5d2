import { ChatCompletion } from '@app/common';
import { closeToolCallItem, messageItem, openToolCallItem, reasoningItem } from './output-items';
import { outcomeOf, responseObject } from './response-object';
import { ResponseOptions, resolveOptions } from './response-options';
import { responseUsage } from './response-usage';
import type { OutputItem, ResponseObject, ResponsesRequest } from './responses.types';
import { ToolNameMap } from './tool-name-map';

/**
 * A chat completion as a non-stream Responses `response`. Output items, in the order a stream would announce
 * them: the reasoning (from `reasoning_content`), the assistant message (also when empty if there is nothing
 * else, so a response always says something), then one item per tool call. `finish_reason: "length"` or
 * `"content_filter"` makes the response `incomplete`, and with it the items still being written when the
 * upstream stopped — the last one, and all tool calls — exactly as ResponsesStreamEncoder reports them.
 */
export function chatToResponse(
  completion: ChatCompletion,
  request: ResponsesRequest,
  toolNames: ToolNameMap,
  options: ResponseOptions = {},
): ResponseObject {
  const { ids, now } = resolveOptions(options);
  const id = ids('resp_');
  const choice = completion.choices?.[0];
  const message = choice?.message;
  const outcome = outcomeOf(choice?.finish_reason);
  const lastStatus = outcome.status === 'completed' ? 'completed' : 'incomplete';
  const output: OutputItem[] = [];

  const reasoning = typeof message?.reasoning_content === 'string' ? message.reasoning_content : '';
  const text = typeof message?.content === 'string' ? message.content : '';
  const refusal = typeof message?.refusal === 'string' && message.refusal !== '' ? message.refusal : undefined;
  const toolCalls = message?.tool_calls ?? [];
  const saysSomething = text !== '' || refusal !== undefined;
  if (reasoning !== '')
    output.push(reasoningItem(ids('rs_'), reasoning, saysSomething || toolCalls.length > 0 ? 'completed' : lastStatus));
  if (saysSomething || toolCalls.length === 0)
    output.push(messageItem(ids('msg_'), text, refusal, toolCalls.length > 0 ? 'completed' : lastStatus));
  for (const call of toolCalls) {
    const item = openToolCallItem(call.function.name, call.id || ids('call_'), toolNames, ids);
    output.push(closeToolCallItem(item, call.function.arguments ?? '', lastStatus));
  }

  return responseObject(request, {
    id,
    createdAt: completion.created,
    completedAt: outcome.status === 'completed' ? now() : undefined,
    ...outcome,
    output,
    usage: responseUsage(completion.usage),
  });
}
