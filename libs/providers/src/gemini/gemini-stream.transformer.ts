import type { ChatCompletionChunk, FinishReason } from '@app/common';
import { CompletionIdentity, finishReasonOf, identify, messagePieces } from './gemini-response.mapper';
import { toolCallId } from './gemini-tool-call-id.mapper';
import { toOpenAiUsage } from './gemini-usage.mapper';
import type { GeminiResponse, GeminiUsageMetadata } from './gemini.types';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

interface ChoiceState {
  toolCalls: number;
  finished: boolean;
}

/**
 * Turns the events of `streamGenerateContent?alt=sse` into OpenAI chat chunks. Gemini's text is already
 * incremental and each function call arrives whole, so every part maps to one chunk; what needs state is
 * the per-choice bookkeeping: the role chunk first, tool-call indices counting tool calls only, STOP after a
 * call meaning `tool_calls`, and the usage, which Gemini repeats cumulatively on every event (the last wins).
 */
export class GeminiStreamTransformer {
  private identity: CompletionIdentity | undefined;
  private readonly choices = new Map<number, ChoiceState>();
  private usage: GeminiUsageMetadata | undefined;

  constructor(private readonly upstreamModel: string) {}

  /** The chunks one Gemini event becomes, in order. */
  translate(event: GeminiResponse): ChatCompletionChunk[] {
    const identity = (this.identity ??= identify(event, this.upstreamModel));
    if (event.usageMetadata) this.usage = event.usageMetadata;
    const chunks: ChatCompletionChunk[] = [];
    const emit = (index: number, delta: Delta, finishReason: FinishReason | null = null) =>
      chunks.push({ ...envelope(identity), choices: [{ index, delta, logprobs: null, finish_reason: finishReason }] });

    const candidates = event.candidates ?? [];
    if (candidates.length === 0 && event.promptFeedback?.blockReason) {
      const state = this.choice(0, emit);
      if (!state.finished) {
        state.finished = true;
        emit(0, {}, 'content_filter');
      }
    }
    candidates.forEach((candidate, position) => {
      const index = candidate.index ?? position;
      const state = this.choice(index, emit);
      for (const piece of messagePieces(candidate.content?.parts)) {
        if (piece.kind === 'content') emit(index, { content: piece.text });
        else if (piece.kind === 'reasoning') emit(index, { reasoning_content: piece.text });
        else {
          const id = toolCallId(identity.key, index, state.toolCalls, piece.thoughtSignature);
          emit(index, {
            tool_calls: [
              {
                index: state.toolCalls++,
                id,
                type: 'function',
                function: { name: piece.name, arguments: piece.arguments },
              },
            ],
          });
        }
      }
      if (candidate.finishReason && !state.finished) {
        state.finished = true;
        emit(index, {}, finishReasonOf(candidate.finishReason, state.toolCalls > 0));
      }
    });
    return chunks;
  }

  /**
   * The closing usage chunk (`choices: []`, like OpenAI's `include_usage` chunk) once every choice has
   * finished; `undefined` when the stream ended early, which Gemini gives no other sign of. Without any
   * `usageMetadata` the chunk carries no usage (never zeros, which would price the answer at nothing).
   */
  end(): ChatCompletionChunk | undefined {
    const finished = this.choices.size > 0 && [...this.choices.values()].every((choice) => choice.finished);
    if (!finished || !this.identity) return undefined;
    const usage = toOpenAiUsage(this.usage);
    return { ...envelope(this.identity), choices: [], ...(usage ? { usage } : {}) };
  }

  private choice(index: number, emit: (index: number, delta: Delta) => void): ChoiceState {
    let state = this.choices.get(index);
    if (!state) {
      state = { toolCalls: 0, finished: false };
      this.choices.set(index, state);
      emit(index, { role: 'assistant', content: '' });
    }
    return state;
  }
}

function envelope({
  id,
  created,
  model,
}: CompletionIdentity): Pick<ChatCompletionChunk, 'id' | 'object' | 'created' | 'model'> {
  return { id, object: 'chat.completion.chunk', created, model };
}
