import type { NativeMessagesEvent, StreamEvent } from '@app/providers';

/** True for a chunk the client would notice: text, a tool call, a refusal, reasoning or a finish. */
export function chatEventCarriesContent({ chunk }: StreamEvent): boolean {
  return (
    chunk.choices?.some((choice) => {
      const delta = choice.delta ?? {};
      return (
        choice.finish_reason != null ||
        (typeof delta.content === 'string' && delta.content.length > 0) ||
        (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) ||
        Boolean(delta.refusal) ||
        Boolean(delta.reasoning_content)
      );
    }) ?? false
  );
}

/** The adapter judged it while reading the event (a content block's start or delta, or a stop reason). */
export function nativeEventCarriesContent(event: NativeMessagesEvent): boolean {
  return event.content;
}
