import { z } from 'zod';
import { AnthropicAdapter, anthropicProviderSchema } from './anthropic/anthropic.adapter';
import { AzureOpenAiAdapter, azureOpenAiProviderSchema } from './azure/azure-openai.adapter';
import { DeepSeekAdapter, deepSeekProviderSchema } from './deepseek/deepseek.adapter';
import { GeminiAdapter, geminiProviderSchema } from './gemini/gemini.adapter';
import { UpstreamHttpService } from './http/upstream-http.service';
import { MockAdapter, mockProviderSchema } from './mock/mock.adapter';
import { OpenAiAdapter, openAiProviderSchema } from './openai/openai.adapter';
import type { ProviderAdapter } from './provider.types';

/** One entry of `providers:` in the config file, validated by its kind's schema. */
export const providerConfigSchema = z.discriminatedUnion('type', [
  openAiProviderSchema,
  anthropicProviderSchema,
  azureOpenAiProviderSchema,
  deepSeekProviderSchema,
  geminiProviderSchema,
  mockProviderSchema,
]);

export type ProviderConfig = z.infer<typeof providerConfigSchema>;

export function createProviderAdapter(config: ProviderConfig, http: UpstreamHttpService): ProviderAdapter {
  switch (config.type) {
    case 'openai':
    case 'openai-compatible':
      return new OpenAiAdapter(config, http);
    case 'anthropic':
      return new AnthropicAdapter(config, http);
    case 'azure-openai':
      return new AzureOpenAiAdapter(config, http);
    case 'deepseek':
      return new DeepSeekAdapter(config, http);
    case 'gemini':
      return new GeminiAdapter(config, http);
    case 'mock':
      return new MockAdapter(config);
  }
}

/** Secret values in the provider config, so logs and error messages can be scrubbed of them. */
export function providerSecrets(configs: readonly ProviderConfig[]): string[] {
  return configs.flatMap((config) => ('api_key' in config && config.api_key ? [config.api_key] : []));
}
