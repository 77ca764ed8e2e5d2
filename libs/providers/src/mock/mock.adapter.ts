import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  delay as cancellableDelay,
  EmbeddingsRequest,
  GeneratedImage,
  ImageGenerationRequest,
  Usage,
} from '@app/common';
import type {
  ChatResult,
  ChatStream,
  ChatTarget,
  EmbeddingsResult,
  ImageGeneration,
  ImagesResult,
  ProviderAdapter,
  StreamEvent,
  UpstreamCallContext,
} from '../provider.types';
import { baseProviderSchema } from '../provider-config';

export const mockProviderSchema = baseProviderSchema.extend({
  type: z.literal('mock'),
  /** Pause between streamed chunks, to make streaming visible in a terminal. */
  chunk_delay_ms: z.number().int().min(0).max(10_000).default(20),
});

export type MockProviderConfig = z.infer<typeof mockProviderSchema>;

/**
 * A built-in, deterministic provider: it answers every request by quoting the last user message, so the
 * demo config works with no provider account. Same request → same text, stream and non-stream alike.
 */
export class MockAdapter implements ProviderAdapter {
  readonly id: string;
  readonly type = 'mock';

  constructor(private readonly config: MockProviderConfig) {
    this.id = config.id;
  }

  async chat(request: ChatCompletionRequest, target: ChatTarget): Promise<ChatResult> {
    const text = replyTo(request.messages);
    const usage = usageFor(request, text);
    const body: ChatCompletion = {
      id: completionId(),
      object: 'chat.completion',
      created: nowSeconds(),
      model: target.upstreamModel,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
    };
    return { body, usage, droppedParams: [] };
  }

  async chatStream(
    request: ChatCompletionRequest,
    target: ChatTarget,
    context: UpstreamCallContext,
  ): Promise<ChatStream> {
    const text = replyTo(request.messages);
    const usage = usageFor(request, text);
    const base = {
      id: completionId(),
      object: 'chat.completion.chunk' as const,
      created: nowSeconds(),
      model: target.upstreamModel,
    };
    const delay = this.config.chunk_delay_ms;
    async function* events(): AsyncGenerator<StreamEvent> {
      const chunk = (delta: ChatCompletionChunk['choices'][0]['delta'], finish: 'stop' | null = null): StreamEvent => ({
        chunk: { ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] },
      });
      yield chunk({ role: 'assistant', content: '' });
      for (const piece of text.match(/\S+\s*/g) ?? []) {
        if (delay > 0) await cancellableDelay(delay, context.signal);
        yield chunk({ content: piece });
      }
      yield chunk({}, 'stop');
      yield { chunk: { ...base, choices: [], usage } };
    }
    return Object.assign(events(), { droppedParams: [] });
  }

  async embeddings(request: EmbeddingsRequest, target: ChatTarget): Promise<EmbeddingsResult> {
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    const dimensions = request.dimensions ?? 8;
    const data = inputs.map((input, index) => {
      const vector = vectorFor(JSON.stringify(input), dimensions);
      // The OpenAI SDK asks for base64 (little-endian float32) by default and decodes it.
      const embedding =
        request.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding' as const, index, embedding };
    });
    const tokens = inputs.reduce<number>((sum, input) => sum + estimateTokens(JSON.stringify(input)), 0);
    return {
      body: {
        object: 'list',
        data,
        model: target.upstreamModel,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  }

  /** One tiny PNG per image asked for: base64, or as a `data:` URL where the client asked for URLs. */
  readonly images: ImageGeneration = {
    generate: async (request: ImageGenerationRequest): Promise<ImagesResult> => {
      const image: GeneratedImage =
        request.response_format === 'b64_json' ? { b64_json: MOCK_PNG } : { url: `data:image/png;base64,${MOCK_PNG}` };
      const data = Array.from({ length: request.n ?? 1 }, () => ({ ...image }));
      return { body: { created: nowSeconds(), data } };
    },
  };

  close(): void {}
}

/** A 1×1 PNG (one teal pixel): the smallest picture an image viewer will open. */
const MOCK_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mNgaGgAAAGEAQFocvOPAAAAAElFTkSuQmCC';

function replyTo(messages: ChatMessage[]): string {
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const said = textOf(lastUser?.content).trim().slice(0, 200);
  return said
    ? `This is Switchyard's mock model. You said: "${said}"`
    : "This is Switchyard's mock model. Send a user message.";
}

function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join(' ');
}

function usageFor(request: ChatCompletionRequest, reply: string): Usage {
  const prompt = request.messages.reduce((sum, message) => sum + 4 + estimateTokens(textOf(message.content)), 3);
  const completion = estimateTokens(reply);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function vectorFor(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: dimensions }, (_, i) => digest[i % digest.length] / 255 - 0.5);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => value / norm);
}

const completionId = () => `chatcmpl-mock${randomBytes(8).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);
