import { GatewayError, ToolDefinition } from '@app/common';
import type {
  CustomTool,
  FunctionTool,
  NamespaceTool,
  ResponsesTool,
  ResponsesToolChoice,
  ToolChoiceObject,
} from './responses.types';
import { ResponsesToolName, ToolNameMap } from './tool-name-map';

export interface ChatTools {
  tools: ToolDefinition[];
  /** The chat `tool_choice`, absent when the chat request has no tools (OpenAI rejects one without them). */
  toolChoice?: unknown;
  /** Hosted tools a chat upstream cannot run, by type (`mcp:<server_label>` for MCP servers), each once. */
  droppedTools: string[];
}

/** The argument a custom (freeform) tool's text travels in when a chat model calls it as a function. */
export const CUSTOM_TOOL_INPUT = 'input';

const EMPTY_OBJECT_SCHEMA = { type: 'object', properties: {} };

/**
 * Responses tools as chat function tools, registering every name in `toolNames`:
 * - `function` → a chat function (`strict` kept);
 * - `custom` (freeform text, optionally a grammar) → a function whose one string argument `input` carries the
 *   text, the grammar quoted in the description so the model can follow it; calls map back to `custom_tool_call`;
 * - `namespace` → each member flattened to its own function (see ToolNameMap), the namespace's description
 *   leading each member's;
 * - anything else is a hosted tool (`web_search`, `file_search`, `code_interpreter`, `mcp`, `local_shell`,
 *   `tool_search`, …) that only OpenAI's servers run: left out and reported in `droppedTools`.
 * A `tool_choice` that insists on a left-out tool is a 400 naming it; every other choice is translated.
 */
export function responsesToolsToChat(
  tools: ResponsesTool[] | undefined,
  choice: ResponsesToolChoice | null | undefined,
  toolNames: ToolNameMap,
): ChatTools {
  const chatTools: ToolDefinition[] = [];
  const dropped = new Set<string>();
  for (const tool of tools ?? []) {
    if (tool.type === 'function') chatTools.push(functionTool(tool as FunctionTool, undefined, undefined, toolNames));
    else if (tool.type === 'custom') chatTools.push(customTool(tool as CustomTool, undefined, undefined, toolNames));
    else if (tool.type === 'namespace') chatTools.push(...namespaceTools(tool as NamespaceTool, toolNames));
    else dropped.add(hostedToolLabel(tool));
  }
  const droppedTools = [...dropped];
  const { allowed, toolChoice } = chatToolChoice(choice ?? undefined, toolNames, {
    offered: chatTools.length,
    droppedTools,
  });
  const offered = allowed ? chatTools.filter((tool) => allowed.has(tool.function.name)) : chatTools;
  if (offered.length === 0) return { tools: [], droppedTools };
  return { tools: offered, ...(toolChoice === undefined ? {} : { toolChoice }), droppedTools };
}

function functionTool(
  tool: FunctionTool,
  namespace: string | undefined,
  namespaceDescription: string | undefined,
  toolNames: ToolNameMap,
): ToolDefinition {
  const name = toolNames.register(withNamespace({ name: tool.name, kind: 'function' }, namespace));
  const description = joinDescriptions(namespaceDescription, tool.description ?? undefined);
  return {
    type: 'function',
    function: {
      name,
      ...(description ? { description } : {}),
      parameters: tool.parameters ?? EMPTY_OBJECT_SCHEMA,
      ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
    },
  };
}

function customTool(
  tool: CustomTool,
  namespace: string | undefined,
  namespaceDescription: string | undefined,
  toolNames: ToolNameMap,
): ToolDefinition {
  const name = toolNames.register(withNamespace({ name: tool.name, kind: 'custom' }, namespace));
  const format = tool.format?.type === 'grammar' ? tool.format : undefined;
  const inputDescription = format
    ? `The raw input text. It must follow this ${format.syntax} grammar:\n${format.definition}`
    : 'The raw input text for the tool.';
  return {
    type: 'function',
    function: {
      name,
      description: joinDescriptions(namespaceDescription, tool.description) ?? `Freeform tool ${tool.name}.`,
      parameters: {
        type: 'object',
        properties: { [CUSTOM_TOOL_INPUT]: { type: 'string', description: inputDescription } },
        required: [CUSTOM_TOOL_INPUT],
        additionalProperties: false,
      },
    },
  };
}

function namespaceTools(group: NamespaceTool, toolNames: ToolNameMap): ToolDefinition[] {
  return (group.tools ?? []).flatMap((member) => {
    if (member.type === 'function') return [functionTool(member, group.name, group.description, toolNames)];
    if (member.type === 'custom') return [customTool(member, group.name, group.description, toolNames)];
    return [];
  });
}

function withNamespace(tool: ResponsesToolName, namespace: string | undefined): ResponsesToolName {
  return namespace === undefined ? tool : { ...tool, namespace };
}

function joinDescriptions(...parts: Array<string | undefined>): string | undefined {
  const present = parts.filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return present.length > 0 ? present.join('\n\n') : undefined;
}

function hostedToolLabel(tool: { type: string; server_label?: unknown }): string {
  return tool.type === 'mcp' && typeof tool.server_label === 'string' ? `mcp:${tool.server_label}` : tool.type;
}

/**
 * The chat `tool_choice` and, for `allowed_tools`, the chat names the model may use (the tools list is
 * narrowed to them: same effect, and every provider understands it).
 */
function chatToolChoice(
  choice: ResponsesToolChoice | undefined,
  toolNames: ToolNameMap,
  tools: { offered: number; droppedTools: string[] },
): { toolChoice?: unknown; allowed?: Set<string> } {
  if (choice === undefined || choice === 'auto' || choice === 'none') return { toolChoice: choice };
  if (choice === 'required') {
    if (tools.offered === 0 && tools.droppedTools.length > 0) throw requiresDropped(tools.droppedTools);
    return { toolChoice: 'required' };
  }
  if (choice.type === 'function' || choice.type === 'custom') {
    const name = typeof choice.name === 'string' ? choice.name : '';
    const found = toolNames.find(name, typeof choice.namespace === 'string' ? choice.namespace : undefined);
    if (!found) throw invalidChoice(`"tool_choice" names the ${choice.type} tool "${name}", which is not in "tools".`);
    return { toolChoice: { type: 'function', function: { name: found.chatName } } };
  }
  if (choice.type === 'allowed_tools') return allowedTools(choice, toolNames);
  throw requiresDropped([hostedToolLabel(choice)]);
}

function allowedTools(choice: ToolChoiceObject, toolNames: ToolNameMap): { toolChoice: unknown; allowed: Set<string> } {
  const allowed = new Set<string>();
  const hosted: string[] = [];
  for (const entry of Array.isArray(choice.tools) ? choice.tools : []) {
    const found =
      (entry.type === 'function' || entry.type === 'custom') && typeof entry.name === 'string'
        ? toolNames.find(entry.name, typeof entry.namespace === 'string' ? entry.namespace : undefined)
        : undefined;
    if (found) allowed.add(found.chatName);
    else if (entry.type === 'namespace' && typeof entry.name === 'string')
      toolNames.inNamespace(entry.name).forEach((name) => allowed.add(name));
    else if (entry.type !== 'function' && entry.type !== 'custom') hosted.push(hostedToolLabel(entry));
  }
  const mode = choice.mode === 'required' ? 'required' : 'auto';
  if (mode === 'required' && allowed.size === 0 && hosted.length > 0) throw requiresDropped(hosted);
  return { toolChoice: mode, allowed };
}

function requiresDropped(labels: string[]): GatewayError {
  const named = labels.map((label) => `"${label}"`).join(', ');
  return invalidChoice(
    `"tool_choice" requires ${labels.length === 1 ? 'the hosted tool' : 'one of the hosted tools'} ${named}, which only OpenAI's own servers run and the model serving this request cannot. Remove it from "tool_choice" (or use "auto") to let the model answer without it.`,
  );
}

function invalidChoice(message: string): GatewayError {
  return new GatewayError('invalid_request_error', message, { param: 'tool_choice' });
}
