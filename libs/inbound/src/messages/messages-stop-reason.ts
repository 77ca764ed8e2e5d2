import type { StopReason } from './messages.types';

/**
 * A chat `finish_reason` as Anthropic's `stop_reason`. `stop` is `end_turn`: chat does not say whether a stop
 * sequence ended the text (the matched sequence is not returned), so `stop_sequence` is never claimed.
 * An answer holding tool calls is `tool_use` whatever the upstream said (some report `stop` for them), because
 * clients such as Claude Code run the tools only on `tool_use`; a cut-off (`length`) or a filtered answer keeps
 * its own reason.
 */
export function stopReasonFor(finishReason: string | null | undefined, hasToolUse: boolean): StopReason {
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    default:
      return hasToolUse ? 'tool_use' : 'end_turn';
  }
}
