import type { ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { GatewayError } from '@app/common';
import { serverConfig } from '../../server.config';

/**
 * At most MAX_STREAMS_PER_KEY streams open per key on this instance (0: no limit); one more gets 429 with
 * `retry-after`, so one runaway client cannot hold every connection. Counted per instance, like the in-flight
 * limit it complements: behind n instances a key may hold up to n times as many.
 */
@Injectable()
export class KeyStreamLimit {
  private readonly max: number;
  private readonly streams = new Map<string, number>();

  constructor(@Inject(serverConfig.KEY) settings: ConfigType<typeof serverConfig>) {
    this.max = settings.overload.maxStreamsPerKey;
  }

  /** Counts the key's stream in until its response closes, or returns the 429 to refuse it with. */
  open(keyId: string, response: ServerResponse): GatewayError | undefined {
    if (this.max === 0) return undefined;
    const open = this.streams.get(keyId) ?? 0;
    if (open >= this.max) {
      return new GatewayError(
        'rate_limit_exceeded',
        `This key already has ${open} streams open on this gateway instance, its limit (MAX_STREAMS_PER_KEY); retry when one has ended.`,
        { retryAfterSeconds: 1 },
      );
    }
    this.streams.set(keyId, open + 1);
    response.once('close', () => this.close(keyId));
    return undefined;
  }

  private close(keyId: string): void {
    const open = (this.streams.get(keyId) ?? 0) - 1;
    if (open > 0) this.streams.set(keyId, open);
    else this.streams.delete(keyId);
  }
}
