import { Injectable } from '@nestjs/common';
import { GatewayError, scrubSecrets } from '@app/common';
import { KnownSecrets } from './known-secrets';

/**
 * Scrubs configured provider keys, and anything shaped like a key, from error messages before they are
 * sent or logged: upstreams echo credentials back in their errors.
 */
@Injectable()
export class Redactor {
  constructor(private readonly secrets: KnownSecrets) {}

  text(text: string): string {
    return scrubSecrets(text, this.secrets.list());
  }

  error<E>(error: E): E | GatewayError {
    if (!(error instanceof GatewayError)) return error;
    const message = this.text(error.message);
    const upstreamMessage = error.options.upstreamMessage && this.text(error.options.upstreamMessage);
    if (message === error.message && upstreamMessage === error.options.upstreamMessage) return error;
    return new GatewayError(error.code, message, { ...error.options, upstreamMessage });
  }
}
