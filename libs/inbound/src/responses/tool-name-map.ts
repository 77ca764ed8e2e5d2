import { createHash } from 'node:crypto';

/** A tool as the Responses client knows it: its name, the namespace it sits in, and how it is called. */
export interface ResponsesToolName {
  name: string;
  namespace?: string;
  /** `custom` tools take one raw string; on a chat upstream they are functions with a single `input` argument. */
  kind: 'function' | 'custom';
}

/** Chat Completions tool names: what OpenAI enforces and what Anthropic and Gemini accept too. */
const CHAT_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_CHAT_NAME = 64;

/**
 * The two-way map between the tools of one Responses request and the function names a chat upstream sees.
 *
 * A plain function or custom tool whose name already fits chat's `^[a-zA-Z0-9_-]{1,64}$` keeps it. A tool in a
 * namespace is flattened to `<namespace>__<name>`, the form Codex itself uses for namespaced tools (MCP
 * namespaces end in `__` already, so `mcp__server__` + `tool` stays `mcp__server__tool`); characters chat does
 * not allow become `_`, and a name that is then too long or taken gets a short hash of the original instead of
 * its tail. The derivation depends only on the names, so a conversation sees the same names on every turn.
 */
export class ToolNameMap {
  private readonly byChatName = new Map<string, ResponsesToolName>();
  private readonly byKey = new Map<string, string>();

  /** The chat name for a tool, registering it on first sight (tools in `tools` and in history alike). */
  register(tool: ResponsesToolName): string {
    const key = keyOf(tool);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const chatName = this.freeName(tool);
    this.byKey.set(key, chatName);
    this.byChatName.set(chatName, { ...tool });
    return chatName;
  }

  /** The chat name of an already registered tool, looked up without a kind (`tool_choice` names only). */
  find(name: string, namespace?: string): { chatName: string; tool: ResponsesToolName } | undefined {
    for (const kind of ['function', 'custom'] as const) {
      const chatName = this.byKey.get(keyOf({ name, namespace, kind }));
      if (chatName !== undefined) return { chatName, tool: this.byChatName.get(chatName)! };
    }
    return undefined;
  }

  /** The chat names of the registered tools of one namespace. */
  inNamespace(namespace: string): string[] {
    return [...this.byChatName].filter(([, tool]) => tool.namespace === namespace).map(([chatName]) => chatName);
  }

  /**
   * The Responses tool behind a name a chat model called. A name the request never offered (a model
   * inventing a tool) comes back as a plain function of that name, for the client to reject.
   */
  resolve(chatName: string): ResponsesToolName {
    return this.byChatName.get(chatName) ?? { name: chatName, kind: 'function' };
  }

  private freeName(tool: ResponsesToolName): string {
    const wanted =
      tool.namespace === undefined
        ? tool.name
        : `${tool.namespace.replace(/_+$/, '')}__${tool.name.replace(/^_+/, '')}`;
    if (CHAT_TOOL_NAME.test(wanted) && !this.byChatName.has(wanted)) return wanted;
    const sanitized = wanted.replace(/[^a-zA-Z0-9_-]/g, '_');
    if (sanitized.length > 0 && sanitized.length <= MAX_CHAT_NAME && !this.byChatName.has(sanitized)) return sanitized;
    const hash = createHash('sha256').update(keyOf(tool)).digest('hex').slice(0, 8);
    const base = `${sanitized.slice(0, MAX_CHAT_NAME - hash.length - 1)}_${hash}`;
    let candidate = base;
    for (let n = 2; this.byChatName.has(candidate); n++)
      candidate = `${base.slice(0, MAX_CHAT_NAME - String(n).length - 1)}_${n}`;
    return candidate;
  }
}

function keyOf(tool: ResponsesToolName): string {
  return JSON.stringify([tool.kind, tool.namespace ?? null, tool.name]);
}
