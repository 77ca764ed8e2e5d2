import { z } from 'zod';
import type { ChatCompletionChunk } from '@app/common';
import type { UpstreamHttpService } from '../http/upstream-http.service';
import { OpenAiAdapter, OpenAiEndpoint } from '../openai/openai.adapter';
import type { ChatTarget } from '../provider.types';
import { baseProviderSchema, httpProviderFields } from '../provider-config';

export const azureOpenAiProviderSchema = baseProviderSchema.extend({
  type: z.literal('azure-openai'),
  /** The resource endpoint, e.g. https://my-resource.openai.azure.com */
  ...httpProviderFields,
  /**
   * Data-plane API version for deployment URLs (`/openai/deployments/{deployment}/…?api-version=`), where the
   * catalog deployment's `model` is the Azure deployment name. Omit it to use the v1 API (`/openai/v1/…`).
   */
  api_version: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'an API version such as 2024-10-21')
    .optional(),
});

export type AzureOpenAiProviderConfig = z.infer<typeof azureOpenAiProviderSchema>;

/** Azure OpenAI: OpenAI's wire format behind deployment URLs and an `api-key` header. */
export class AzureOpenAiAdapter extends OpenAiAdapter {
  constructor(
    private readonly azure: AzureOpenAiProviderConfig,
    http: UpstreamHttpService,
  ) {
    super(azure, http);
  }

  protected override authHeaders(): Record<string, string> {
    return this.config.api_key ? { 'api-key': this.config.api_key } : {};
  }

  protected override url(endpoint: OpenAiEndpoint, target: ChatTarget): string {
    const version = this.azure.api_version;
    if (!version) return `${this.config.base_url}/openai/v1/${endpoint}`;
    const deployment = encodeURIComponent(target.upstreamModel);
    return `${this.config.base_url}/openai/deployments/${deployment}/${endpoint}?api-version=${version}`;
  }

  /**
   * Azure may open a stream with `{"choices":[],"prompt_filter_results":[…]}`; clients that read
   * `choices[0]` crash on it, and it carries nothing OpenAI clients know, so it is dropped.
   */
  protected override adaptChunk(chunk: ChatCompletionChunk): ChatCompletionChunk | null {
    return chunk.choices?.length === 0 && !chunk.usage ? null : chunk;
  }
}
