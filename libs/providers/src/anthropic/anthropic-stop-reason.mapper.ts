import type { FinishReason } from '@app/common';

const FINISH_REASONS = new Map<string, FinishReason>([
  ['end_turn', 'stop'],
  ['stop_sequence', 'stop'],
  // The model paused a long server-tool turn; to an OpenAI client the answer so far is complete.
  ['pause_turn', 'stop'],
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
  ['refusal', 'content_filter'],
]);

/** OpenAI's `finish_reason` for an Anthropic `stop_reason`; reasons added later read as a normal stop. */
export function finishReasonFor(stopReason: string | null | undefined): FinishReason {
  return FINISH_REASONS.get(stopReason ?? '') ?? 'stop';
}
