import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { observabilityConfig } from '../observability.config';

/** Who may scrape GET /metrics: anyone, unless METRICS_TOKEN is set; then only bearers of that token. */
@Injectable()
export class MetricsAccess {
  private readonly tokenHash?: Buffer;

  constructor(@Inject(observabilityConfig.KEY) settings: ConfigType<typeof observabilityConfig>) {
    if (settings.metricsToken) this.tokenHash = sha256(settings.metricsToken);
  }

  allows(authorization: string | undefined): boolean {
    if (!this.tokenHash) return true;
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    // Comparing fixed-length hashes keeps the comparison constant-time whatever was presented.
    return presented !== undefined && timingSafeEqual(sha256(presented), this.tokenHash);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
