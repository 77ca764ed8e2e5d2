import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from '@app/common';
import { DEFAULT_SSE_LIMITS } from './sse/sse-parser';

const MiB = 1024 * 1024;
const bytes = (min: number, fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(min)
    .max(1024 * MiB)
    .default(fallback);

const schema = z.object({
  UPSTREAM_SSE_MAX_EVENT_BYTES: bytes(64 * 1024, DEFAULT_SSE_LIMITS.maxEventBytes),
  UPSTREAM_MAX_DECOMPRESSED_BYTES: bytes(MiB, 64 * MiB),
  UPSTREAM_MAX_ANSWER_BYTES: bytes(MiB, 16 * MiB),
});

export interface ProvidersSettings {
  /** Largest line and largest event of an upstream's server-sent event stream; beyond it the stream fails. */
  sseMaxEventBytes: number;
  /**
   * Most bytes a compressed upstream body (a whole answer, or a whole stream) may inflate to: a gzip bomb is
   * stopped there instead of decompressing on.
   */
  maxDecompressedBytes: number;
  /**
   * Largest non-stream answer (inflated, if compressed) of a chat, messages or responses call: it is held whole
   * before it is parsed, so it is bounded well below the reader's 64 MiB. The longest legitimate answers
   * (128k output tokens, with tool calls) are a few MB; embeddings and image answers, tens of MB by nature,
   * keep the 64 MiB.
   */
  maxAnswerBytes: number;
}

export const providersConfig = registerAs('providers', (): ProvidersSettings => {
  const env = parseEnv('providers', schema);
  return {
    sseMaxEventBytes: env.UPSTREAM_SSE_MAX_EVENT_BYTES,
    maxDecompressedBytes: env.UPSTREAM_MAX_DECOMPRESSED_BYTES,
    maxAnswerBytes: env.UPSTREAM_MAX_ANSWER_BYTES,
  };
});
