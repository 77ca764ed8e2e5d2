import type { ChatCompletion, ToolCall } from '@app/common';
import type { AnthropicMessageResponse } from './anthropic.types';
import { finishReasonFor } from './anthropic-stop-reason.mapper';
import { toOpenAiUsage } from './anthropic-usage.mapper';

/**
 * An Anthropic message as an OpenAI chat completion. Text blocks join into `content` (null when the answer
 * is only tool calls, as OpenAI does) and `refusal` is always null; `tool_use` blocks become `tool_calls` with their input re-serialised;
 * thinking goes out as the non-standard `reasoning_content` (DeepSeek's name, which many clients read).
 * Blocks with no OpenAI equivalent (redacted thinking, server-tool results) are left out.
 */
export function toChatCompletion(message: AnthropicMessageResponse, created: number): ChatCompletion {
  const text: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text.push(block.text);
    else if (block.type === 'thinking') reasoning.push(block.thinking);
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    }
  }
  return {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text.length > 0 ? text.join('') : toolCalls.length > 0 ? null : '',
          // Required by OpenAI's schema (nullable). A refusal is Anthropic's stop_reason "refusal", already a
          // content_filter finish, with its explanation (if any) in the text: there is no separate refusal text.
          refusal: null,
          ...(reasoning.length > 0 ? { reasoning_content: reasoning.join('') } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: finishReasonFor(message.stop_reason),
      },
    ],
    // Anthropic always reports usage; an answer without it is charged as one whose usage is unknown.
    ...(message.usage ? { usage: toOpenAiUsage(message.usage) } : {}),
  };
}
