import { EmbeddingsRequest, EmbeddingsResponse, GatewayError } from '@app/common';
import type { GeminiBatchEmbedRequest } from './gemini.types';

/** The texts of an OpenAI embeddings request; Gemini embeds text only, not token arrays. */
export function embeddingInputs(request: EmbeddingsRequest): string[] {
  const inputs: unknown[] = Array.isArray(request.input) ? request.input : [request.input];
  if (!inputs.every((input): input is string => typeof input === 'string')) {
    throw new GatewayError(
      'invalid_request_error',
      "This model's provider embeds text only; send strings, not token arrays.",
      { param: 'input' },
    );
  }
  return inputs;
}

export function toBatchEmbedRequest(
  inputs: string[],
  upstreamModel: string,
  dimensions?: number,
): GeminiBatchEmbedRequest {
  return {
    requests: inputs.map((text) => ({
      model: `models/${upstreamModel}`,
      content: { parts: [{ text }] },
      ...(dimensions ? { outputDimensionality: dimensions } : {}),
    })),
  };
}

/**
 * Gemini's vectors in OpenAI's list shape, as floats or, when asked (the OpenAI SDK asks by default), as
 * base64 of little-endian float32. Gemini reports no token counts for embeddings, so usage is estimated at
 * four characters a token.
 */
export function toEmbeddingsResponse(
  vectors: number[][],
  inputs: string[],
  model: string,
  encoding: EmbeddingsRequest['encoding_format'],
): EmbeddingsResponse {
  const tokens = inputs.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
  return {
    object: 'list',
    data: vectors.map((values, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? Buffer.from(new Float32Array(values).buffer).toString('base64') : values,
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
