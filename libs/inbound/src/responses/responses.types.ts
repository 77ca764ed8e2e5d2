/**
 * The OpenAI Responses API wire shapes the gateway reads or produces (`POST /v1/responses`), after
 * node_modules/openai/resources/responses/responses.d.ts and the OpenAPI spec's `CreateResponse`, `Response`
 * and `ResponseStreamEvent` schemas. Only what the translators touch is typed; other fields stay `unknown`.
 */

// ---- Request ---------------------------------------------------------------------------------------------

/** A request body that passed `parseResponsesRequest`: the checked fields are typed, the rest kept as sent. */
export interface ResponsesRequest {
  model: string;
  input: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean | null;
  max_output_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  reasoning?: { effort?: string | null; summary?: string | null; [extra: string]: unknown } | null;
  text?: ResponsesTextConfig | null;
  stream?: boolean;
  store?: boolean | null;
  metadata?: Record<string, string> | null;
  user?: string;
  [extra: string]: unknown;
}

export interface ResponsesTextConfig {
  format?: ResponsesTextFormat;
  verbosity?: string | null;
  [extra: string]: unknown;
}

export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      name: string;
      schema: Record<string, unknown>;
      strict?: boolean | null;
      description?: string;
    };

/** An input item as a client may send it; `type` is optional on messages (the "easy" form) and item references. */
export interface ResponsesInputItem {
  type?: string | null;
  [field: string]: unknown;
}

export interface InputMessageItem {
  type?: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | InputContentPart[];
}

export type InputContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'output_text'; text: string }
  | { type: 'refusal'; refusal: string }
  | { type: 'input_image'; image_url?: string | null; file_id?: string | null; detail?: string }
  | { type: string; [field: string]: unknown };

export interface FunctionCallItem {
  type: 'function_call';
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  id?: string;
  status?: string;
}

export interface CustomToolCallItem {
  type: 'custom_tool_call';
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
  id?: string;
}

/** `function_call_output` and `custom_tool_call_output`: a string, or input parts (text, images, files). */
export interface ToolCallOutputItem {
  type: 'function_call_output' | 'custom_tool_call_output';
  call_id: string;
  output: string | InputContentPart[];
}

export interface ReasoningItem {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string | null;
  status?: ItemStatus;
}

// ---- Tools -----------------------------------------------------------------------------------------------

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  [extra: string]: unknown;
}

/** A freeform tool: the model answers with raw text, optionally constrained by a grammar. */
export interface CustomTool {
  type: 'custom';
  name: string;
  description?: string;
  format?: { type: 'text' } | { type: 'grammar'; syntax: string; definition: string };
  [extra: string]: unknown;
}

/** A group of function/custom tools the model calls as `<namespace>` + `<name>` (Codex sends its MCP tools so). */
export interface NamespaceTool {
  type: 'namespace';
  name: string;
  description: string;
  tools: Array<FunctionTool | CustomTool>;
}

/** Every other tool type (`web_search`, `file_search`, `mcp`, `local_shell`, …) is run by OpenAI's servers. */
export interface HostedTool {
  type: string;
  [field: string]: unknown;
}

export type ResponsesTool = FunctionTool | CustomTool | NamespaceTool | HostedTool;

export type ResponsesToolChoice = 'none' | 'auto' | 'required' | ToolChoiceObject;

/**
 * `{type: "function" | "custom", name}` forces one tool, `{type: "allowed_tools", mode, tools}` narrows the
 * set, and any other `type` (`file_search`, `web_search_preview`, `mcp`, …) forces a hosted tool.
 */
export interface ToolChoiceObject {
  type: string;
  name?: string;
  mode?: 'auto' | 'required';
  tools?: Array<{ type: string; [field: string]: unknown }>;
  [field: string]: unknown;
}

// ---- Response object -------------------------------------------------------------------------------------

export type ItemStatus = 'in_progress' | 'completed' | 'incomplete';

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}

export type MessageContentPart = OutputTextPart | RefusalPart;

export interface OutputMessage {
  type: 'message';
  id: string;
  status: ItemStatus;
  role: 'assistant';
  content: MessageContentPart[];
}

export interface OutputFunctionCall {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  arguments: string;
  status: ItemStatus;
}

export interface OutputCustomToolCall {
  type: 'custom_tool_call';
  id: string;
  call_id: string;
  name: string;
  namespace?: string;
  input: string;
}

export interface OutputReasoning {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  status: ItemStatus;
}

export type OutputItem = OutputMessage | OutputFunctionCall | OutputCustomToolCall | OutputReasoning;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: Record<string, unknown> | null;
  store: false;
  temperature: number | null;
  text: Record<string, unknown>;
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: string;
  metadata: Record<string, string>;
  /** Absent until the usage is known (the spec does not allow null here). */
  usage?: ResponseUsage;
}

// ---- Stream events ---------------------------------------------------------------------------------------

/** Every event carries its `type` and a `sequence_number` counting from 0 across the whole stream. */
export type ResponseStreamEvent =
  | {
      type:
        'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed';
      sequence_number: number;
      response: ResponseObject;
    }
  | {
      type: 'response.output_item.added' | 'response.output_item.done';
      sequence_number: number;
      output_index: number;
      item: OutputItem;
    }
  | {
      type: 'response.content_part.added' | 'response.content_part.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      part: MessageContentPart;
    }
  | {
      type: 'response.output_text.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
      logprobs: unknown[];
    }
  | {
      type: 'response.output_text.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      text: string;
      logprobs: unknown[];
    }
  | {
      type: 'response.refusal.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
    }
  | {
      type: 'response.refusal.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      refusal: string;
    }
  | {
      type: 'response.function_call_arguments.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      delta: string;
    }
  | {
      type: 'response.function_call_arguments.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      name: string;
      arguments: string;
    }
  | {
      type: 'response.custom_tool_call_input.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      delta: string;
    }
  | {
      type: 'response.custom_tool_call_input.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      input: string;
    }
  | {
      type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      summary_index: number;
      part: { type: 'summary_text'; text: string };
    }
  | {
      type: 'response.reasoning_summary_text.delta';
      sequence_number: number;
      item_id: string;
      output_index: number;
      summary_index: number;
      delta: string;
    }
  | {
      type: 'response.reasoning_summary_text.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      summary_index: number;
      text: string;
    };

/** Makes the ids of a response and its items: `newId` from @app/common in production, a counter in tests. */
export type ResponseIdGenerator = (prefix: 'resp_' | 'msg_' | 'fc_' | 'ctc_' | 'rs_' | 'call_') => string;

/** Unix seconds now; injected so tests are deterministic. */
export type UnixClock = () => number;
