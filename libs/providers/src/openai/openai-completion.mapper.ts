import type { ChatCompletion } from '@app/common';

/**
 * An OpenAI-compatible server's non-stream answer with every field OpenAI's spec requires of a choice, set to
 * null where the server left it out: vLLM and some proxies omit `message.refusal` and `logprobs`, and some
 * omit `message.content` beside tool calls. Null is what OpenAI itself sends when there is none, and strictly
 * typed clients (generated from the spec, or validating as some Go and Java SDKs do) reject a body without
 * them. Fields present are left as they came.
 *
 * The answer was parsed to be checked and is serialised again for the client, so it is completed in place
 * rather than copied: a walk over the choices, well under a microsecond (test/fixtures/openai/README.md).
 */
export function withRequiredChoiceFields(completion: ChatCompletion): ChatCompletion {
  for (const choice of completion.choices) {
    if (!isRecord(choice)) continue;
    if (choice.logprobs === undefined) choice.logprobs = null;
    const message: unknown = choice.message;
    if (!isRecord(message)) continue;
    message.content ??= null;
    message.refusal ??= null;
  }
  return completion;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
