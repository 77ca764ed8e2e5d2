/**
 * Provider types whose adapters generate images (OpenAI's `/images/generations` wire format, and the mock).
 * The catalog refuses an image model deployed on any other type when it loads, and the adapters of these
 * types, and only these, offer `ProviderAdapter.images`.
 */
export const IMAGE_PROVIDER_TYPES: readonly string[] = ['openai', 'openai-compatible', 'azure-openai', 'mock'];

export function servesImages(providerType: string): boolean {
  return IMAGE_PROVIDER_TYPES.includes(providerType);
}
