import { GatewayError, type ToolDefinition } from '@app/common';
import type { ToolChoice, ToolParam } from './messages.types';

export interface ChatTools {
  tools?: ToolDefinition[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: false;
}

/**
 * Anthropic tools and `tool_choice` in chat form. Client tools (no `type`, or `custom`) become function tools
 * (`input_schema` → `parameters`). Server tools (`web_search_…`, `bash_…`, `text_editor_…`, `computer_…`, …)
 * run only inside Anthropic's API: they are dropped and named, and a `tool_choice` that requires one (or
 * requires a tool when none is left) is refused with a 400 naming it, since the answer could not honour it.
 */
export function toolsToChat(
  tools: readonly ToolParam[] | undefined,
  choice: ToolChoice | undefined,
  dropped: Set<string>,
): ChatTools {
  const functions: ToolDefinition[] = [];
  const serverTools = new Map<string, string>();
  for (const tool of tools ?? []) {
    if (tool.cache_control) dropped.add('cache_control');
    if (!isClientTool(tool)) {
      serverTools.set(tool.name, String(tool.type));
      dropped.add(`tool ${tool.name} (${String(tool.type)})`);
      continue;
    }
    if (tool.strict === true) dropped.add('strict (tools)');
    const definition: ToolDefinition = {
      type: 'function',
      function: { name: tool.name, parameters: tool.input_schema },
    };
    if (typeof tool.description === 'string') definition.function.description = tool.description;
    functions.push(definition);
  }
  refuseUnavailableChoice(choice, functions, serverTools);
  if (functions.length === 0) return {};
  const chat: ChatTools = { tools: functions };
  if (choice === undefined) return chat;
  chat.tool_choice = toolChoice(choice);
  if (choice.type !== 'none' && choice.disable_parallel_tool_use === true) chat.parallel_tool_calls = false;
  return chat;
}

function isClientTool(tool: ToolParam): boolean {
  return tool.type === undefined || tool.type === null || tool.type === 'custom';
}

function toolChoice(choice: ToolChoice): NonNullable<ChatTools['tool_choice']> {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'none':
      return 'none';
    case 'any':
      return 'required';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

function refuseUnavailableChoice(
  choice: ToolChoice | undefined,
  functions: readonly ToolDefinition[],
  serverTools: ReadonlyMap<string, string>,
): void {
  if (choice?.type === 'tool' && serverTools.has(choice.name)) {
    throw new GatewayError(
      'invalid_request_error',
      `tool_choice.name: "${choice.name}" is a server tool (${serverTools.get(choice.name)}) that only Anthropic's API runs, and the model ` +
        'serving this request is not Anthropic. Remove it from tool_choice, or choose a model served by Anthropic.',
      { param: 'tool_choice.name' },
    );
  }
  if (choice?.type === 'any' && functions.length === 0 && serverTools.size > 0) {
    throw new GatewayError(
      'invalid_request_error',
      `tool_choice: {"type": "any"} requires a tool call, but every tool in this request (${[...serverTools.keys()].join(', ')}) is a server tool ` +
        'that only Anthropic\'s API runs, and the model serving this request is not Anthropic. Use {"type": "auto"}, or choose a model served by Anthropic.',
      { param: 'tool_choice' },
    );
  }
}
