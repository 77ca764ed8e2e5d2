import { formatConfigPath } from '@app/common';
import { catalogSchema } from './catalog.schema';

const PROVIDERS = [
  { id: 'openai', type: 'openai', base_url: 'https://api.openai.com/v1' },
  { id: 'azure', type: 'azure-openai', base_url: 'https://r.openai.azure.com', api_version: '2024-10-21' },
  { id: 'claude', type: 'anthropic', base_url: 'https://api.anthropic.com' },
  { id: 'deepseek', type: 'deepseek' },
  { id: 'mock', type: 'mock' },
];
const PER_IMAGE = { per_image: { '1024x1024': 0.04, '1792x1024': 0.08, default: 0.04 } };

function issues(models: object[]): string[] {
  const result = catalogSchema.safeParse({ providers: PROVIDERS, models });
  return result.success ? [] : result.error.issues.map((i) => `${formatConfigPath(i.path)}: ${i.message}`);
}

describe('model kinds in the catalog', () => {
  it('makes a model a chat model unless it says otherwise, and reads per-image prices as micro-USD', () => {
    const catalog = catalogSchema.parse({
      providers: PROVIDERS,
      models: [
        { name: 'chat', deployments: [{ provider: 'openai', model: 'gpt-4o' }] },
        { name: 'paint', kind: 'image', pricing: PER_IMAGE, deployments: [{ provider: 'azure', model: 'dall-e-3' }] },
      ],
    });
    expect(catalog.models.map((model) => model.kind)).toEqual(['chat', 'image']);
    expect(catalog.models[1].pricing![0].perImage).toEqual({
      bySize: { '1024x1024': 40_000, '1792x1024': 80_000, default: 40_000 },
      default: 40_000,
    });
  });

  it('refuses an image model on a provider that generates no images, naming the provider, its type and the image types', () => {
    const found = issues([
      { name: 'paint', kind: 'image', pricing: PER_IMAGE, deployments: [{ provider: 'claude', model: 'claude-x' }] },
      { name: 'paint-2', kind: 'image', deployments: [{ provider: 'deepseek', model: 'deepseek-chat' }] },
    ]);
    expect(found).toEqual([
      'models[0].deployments[0].provider: provider "claude" (type anthropic) generates no images, so it cannot serve the image model "paint"; image providers are of type openai, openai-compatible, azure-openai, mock',
      expect.stringContaining('provider "deepseek" (type deepseek) generates no images'),
    ]);
  });

  it('prices image models per image and only image models so', () => {
    expect(
      issues([
        {
          name: 'paint',
          kind: 'image',
          pricing: { input_per_mtok: 1, output_per_mtok: 1 },
          deployments: [{ provider: 'openai', model: 'dall-e-3', pricing: PER_IMAGE }],
        },
        { name: 'chat', pricing: PER_IMAGE, deployments: [{ provider: 'openai', model: 'gpt-4o' }] },
      ]),
    ).toEqual([
      'models[0].pricing: an image model (kind: image) is priced per image: `per_image: {"1024x1024": 0.04, "default": 0.04}`',
      'models[1].pricing: `per_image` prices image models only; this model is of kind: chat',
    ]);
    expect(
      issues([
        {
          name: 'paint',
          kind: 'image',
          pricing: { per_image: { '1024x1024': 0.04 } },
          deployments: [{ provider: 'openai', model: 'dall-e-3' }],
        },
      ]),
    ).toEqual(['models[0].pricing.per_image: needs a "default" price, charged for sizes without their own']);
  });

  it('refuses a fallback of another kind: it answers the same route', () => {
    expect(
      issues([
        {
          name: 'embed',
          kind: 'embedding',
          deployments: [{ provider: 'openai', model: 'text-embedding-3-small' }],
          fallbacks: ['chat'],
        },
        { name: 'chat', deployments: [{ provider: 'openai', model: 'gpt-4o' }] },
      ]),
    ).toEqual(['models[0].fallbacks[0]: "chat" is of kind: chat, and cannot stand in for a model of kind: embedding']);
  });
});
