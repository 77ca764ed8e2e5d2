export { ProvidersModule, ProviderFactory } from './providers.module';
export { providersConfig, ProvidersSettings } from './providers.config';
export { providerConfigSchema, ProviderConfig, providerSecrets } from './provider-kinds';
export { IMAGE_PROVIDER_TYPES, servesImages } from './image-providers';
export * from './provider.types';
export { SseParser, sseEvents, SseEvent } from './sse/sse-parser';
