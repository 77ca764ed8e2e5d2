import type { AnthropicRequest } from './anthropic.types';

/** Share of `max_tokens` given to thinking for each OpenAI `reasoning_effort`. */
const THINKING_SHARE = new Map<string, number>([
  ['minimal', 0.25],
  ['low', 0.25],
  ['medium', 0.5],
  ['high', 0.8],
  ['xhigh', 0.8],
]);
const MIN_THINKING_BUDGET = 1024;
const MIN_TOP_P_WHILE_THINKING = 0.95;

/**
 * OpenAI's `reasoning_effort` as Anthropic extended thinking, with a budget that is a share of `max_tokens`
 * (Anthropic's cap counts thinking, as OpenAI's counts reasoning). Thinking stays off, and `reasoning_effort`
 * is reported dropped, where Anthropic would reject it: the budget (at least 1024) does not fit under
 * `max_tokens`, a tool is forced, or the request continues a tool loop (Anthropic then requires the previous
 * turn's signed thinking blocks, which an OpenAI client never holds). While thinking, Anthropic accepts no
 * temperature but 1 and no top_p below 0.95, so those are the parameters dropped instead.
 */
export function applyReasoningEffort(
  body: AnthropicRequest,
  effort: unknown,
): { body: AnthropicRequest; dropped: string[] } {
  if (effort === undefined || effort === null || effort === 'none') return { body, dropped: [] };
  const share = typeof effort === 'string' ? THINKING_SHARE.get(effort) : undefined;
  const budget = share === undefined ? undefined : Math.max(MIN_THINKING_BUDGET, Math.floor(body.max_tokens * share));
  if (budget === undefined || budget >= body.max_tokens || forcesTool(body) || continuesToolLoop(body)) {
    return { body, dropped: ['reasoning_effort'] };
  }
  const thinking: AnthropicRequest = { ...body, thinking: { type: 'enabled', budget_tokens: budget } };
  const dropped: string[] = [];
  if (thinking.temperature !== undefined && thinking.temperature !== 1) {
    delete thinking.temperature;
    dropped.push('temperature');
  }
  if (thinking.top_p !== undefined && thinking.top_p < MIN_TOP_P_WHILE_THINKING) {
    delete thinking.top_p;
    dropped.push('top_p');
  }
  return { body: thinking, dropped };
}

function forcesTool(body: AnthropicRequest): boolean {
  return body.tool_choice?.type === 'any' || body.tool_choice?.type === 'tool';
}

function continuesToolLoop(body: AnthropicRequest): boolean {
  const last = body.messages.at(-1);
  return last?.role === 'user' && last.content[0]?.type === 'tool_result';
}
