import { z } from 'zod';
import { ChatCompletion, ChatCompletionChunk, GatewayError, Usage } from '@app/common';
import { OpenAiAdapter } from '../openai/openai.adapter';
import { baseProviderSchema, httpProviderFields } from '../provider-config';

export const deepSeekProviderSchema = baseProviderSchema.extend({
  type: z.literal('deepseek'),
  ...httpProviderFields,
  base_url: httpProviderFields.base_url.default('https://api.deepseek.com'),
});

type DeepSeekUsage = Usage & { prompt_cache_hit_tokens?: number };

/**
 * DeepSeek speaks OpenAI's format with three differences handled here: cache hits are reported as
 * `prompt_cache_hit_tokens` (mapped to `prompt_tokens_details.cached_tokens`), a generation can end with
 * `finish_reason: "insufficient_system_resource"` (an overload, not a normal stop), and thinking models
 * stream `reasoning_content` deltas, which pass through untouched.
 */
export class DeepSeekAdapter extends OpenAiAdapter {
  protected override adaptCompletion(body: ChatCompletion): ChatCompletion {
    this.rejectResourceStop(body.choices);
    const usage = withCachedTokens(body.usage);
    return usage === body.usage ? body : { ...body, usage };
  }

  protected override adaptChunk(chunk: ChatCompletionChunk): ChatCompletionChunk | null {
    this.rejectResourceStop(chunk.choices);
    const usage = withCachedTokens(chunk.usage ?? undefined);
    return usage === (chunk.usage ?? undefined) ? chunk : { ...chunk, usage };
  }

  private rejectResourceStop(choices: ReadonlyArray<{ finish_reason: string | null }> | undefined): void {
    if (choices?.some((choice) => (choice.finish_reason as string) === 'insufficient_system_resource')) {
      throw new GatewayError('upstream_unavailable', `Upstream "${this.id}" stopped: insufficient system resource.`, {
        upstreamMessage: 'finish_reason: insufficient_system_resource',
      });
    }
  }
}

function withCachedTokens(usage: DeepSeekUsage | undefined): Usage | undefined {
  if (!usage || usage.prompt_cache_hit_tokens === undefined || usage.prompt_tokens_details?.cached_tokens !== undefined)
    return usage;
  return {
    ...usage,
    prompt_tokens_details: { ...usage.prompt_tokens_details, cached_tokens: usage.prompt_cache_hit_tokens },
  };
}
