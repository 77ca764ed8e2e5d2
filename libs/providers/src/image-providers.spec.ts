import type { UpstreamHttpService } from './http/upstream-http.service';
import { IMAGE_PROVIDER_TYPES } from './image-providers';
import { createProviderAdapter, providerConfigSchema } from './provider-kinds';

const CONFIGS = [
  { id: 'a', type: 'openai', base_url: 'https://api.openai.com/v1' },
  { id: 'b', type: 'openai-compatible', base_url: 'http://localhost:8000/v1' },
  { id: 'c', type: 'azure-openai', base_url: 'https://r.openai.azure.com' },
  { id: 'd', type: 'deepseek' },
  { id: 'e', type: 'anthropic', base_url: 'https://api.anthropic.com' },
  { id: 'f', type: 'gemini', base_url: 'https://generativelanguage.googleapis.com' },
  { id: 'g', type: 'mock' },
];

describe('image providers', () => {
  it('are exactly the provider types whose adapters generate images, so the catalog check and routing agree', () => {
    const http = {} as UpstreamHttpService;
    const adapters = CONFIGS.map((config) => createProviderAdapter(providerConfigSchema.parse(config), http));
    expect(adapters.filter((adapter) => adapter.images).map((adapter) => adapter.type)).toEqual(IMAGE_PROVIDER_TYPES);
    for (const adapter of adapters) adapter.close();
  });
});
