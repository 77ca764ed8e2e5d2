import { CUSTOM_TOOL_INPUT } from './responses-tools';
import type {
  ItemStatus,
  OutputCustomToolCall,
  OutputFunctionCall,
  OutputMessage,
  OutputReasoning,
  ResponseIdGenerator,
} from './responses.types';
import { ToolNameMap } from './tool-name-map';

export type OutputToolCall = OutputFunctionCall | OutputCustomToolCall;

/**
 * The output item for a chat tool call, before its arguments are known: a `function_call`, or a
 * `custom_tool_call` when the chat name belongs to a custom tool; the Responses name and namespace restored.
 * The upstream's tool call id becomes the `call_id` the client answers with.
 */
export function openToolCallItem(
  chatName: string,
  callId: string,
  toolNames: ToolNameMap,
  ids: ResponseIdGenerator,
): OutputToolCall {
  const tool = toolNames.resolve(chatName);
  const namespace = tool.namespace === undefined ? {} : { namespace: tool.namespace };
  if (tool.kind === 'custom')
    return { type: 'custom_tool_call', id: ids('ctc_'), call_id: callId, name: tool.name, ...namespace, input: '' };
  return {
    type: 'function_call',
    id: ids('fc_'),
    call_id: callId,
    name: tool.name,
    ...namespace,
    arguments: '',
    status: 'in_progress',
  };
}

/** The finished item: the arguments as sent, or for a custom tool the text inside them. */
export function closeToolCallItem(item: OutputToolCall, chatArguments: string, status: ItemStatus): OutputToolCall {
  if (item.type === 'custom_tool_call') return { ...item, input: customToolInput(chatArguments) };
  return { ...item, arguments: chatArguments, status };
}

/**
 * The text a chat model meant for a custom tool: the `input` argument. Arguments that are not the expected
 * object (a model ignoring the schema) are passed on whole rather than lost.
 */
export function customToolInput(chatArguments: string): string {
  try {
    const parsed: unknown = JSON.parse(chatArguments);
    const input = (parsed as Record<string, unknown> | null)?.[CUSTOM_TOOL_INPUT];
    return typeof input === 'string' ? input : chatArguments;
  } catch {
    return chatArguments;
  }
}

export function messageItem(id: string, text: string, refusal: string | undefined, status: ItemStatus): OutputMessage {
  const content: OutputMessage['content'] = [];
  if (text !== '' || refusal === undefined) content.push({ type: 'output_text', text, annotations: [], logprobs: [] });
  if (refusal !== undefined) content.push({ type: 'refusal', refusal });
  return { type: 'message', id, status, role: 'assistant', content };
}

/** A chat upstream's `reasoning_content` is readable thinking; it is shown as the reasoning item's summary. */
export function reasoningItem(id: string, text: string, status: ItemStatus): OutputReasoning {
  return { type: 'reasoning', id, summary: text === '' ? [] : [{ type: 'summary_text', text }], status };
}
