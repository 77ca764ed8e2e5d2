/**
 * The providers lib's testing entry, `@app/providers/testing`: what a test needs to drive adapters directly
 * against a fake upstream, outside a Nest container. Only test/ and bench/ may import it (dependency rules).
 */
import { UpstreamHttpService } from './http/upstream-http.service';
import { providersConfig } from './providers.config';
import { ProviderFactory } from './providers.module';

/**
 * A ProviderFactory wired as ProvidersModule wires it: adapters built from config entries, real sockets, the
 * providers settings from the environment.
 */
export function providerFactory(): ProviderFactory {
  return new ProviderFactory(new UpstreamHttpService(providersConfig()));
}
