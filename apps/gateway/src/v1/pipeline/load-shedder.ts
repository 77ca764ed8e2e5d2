import type { ServerResponse } from 'node:http';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { GatewayError } from '@app/common';
import { OverloadLimits, serverConfig } from '../../server.config';

/**
 * How often the event loop's lateness is sampled: one timer, 10 wake-ups a second, measured at ~1.2 ms of CPU
 * a second on an idle instance (monitorEventLoopDelay at 10 ms resolution: ~7 ms); a busy loop pays ~nothing.
 */
export const LAG_SAMPLE_MS = 100;

/** An overload passes as soon as the work in flight drains, so the retry can come soon. */
const RETRY_AFTER_SECONDS = 1;

/**
 * Refuses new `/v1` requests while this instance is overloaded, at once and before any work is spent on them
 * (body, key lookup, database, upstream), so that the requests already admitted finish in time instead of
 * everyone queueing behind everyone: 503 `overloaded` with `retry-after`, which the SDKs retry. Overloaded
 * means too many `/v1` responses open (streams included) or an event loop running its timers late (CPU
 * saturated); either limit is off at 0. The admin and health routes are never refused.
 */
@Injectable()
export class LoadShedder implements OnModuleDestroy {
  private readonly limits: OverloadLimits;
  private inFlight = 0;
  /**
   * How late the loop has run in both of the last two samples, in ms. One late sample is a pause — a major GC,
   * a large body, the embedded database's own work on this loop at start — which passes by itself; a loop late
   * twice in a row is saturated.
   */
  private lagMs = 0;
  private lastSampleLagMs = 0;
  private readonly sampler?: NodeJS.Timeout;

  constructor(@Inject(serverConfig.KEY) settings: ConfigType<typeof serverConfig>) {
    this.limits = settings.overload;
    if (this.limits.maxLagMs > 0) {
      // A timer's lateness: cheaper than monitorEventLoopDelay's histogram, and the latest sample is current.
      let due = performance.now() + LAG_SAMPLE_MS;
      this.sampler = setInterval(() => {
        const now = performance.now();
        const late = Math.max(0, now - due);
        this.lagMs = Math.min(late, this.lastSampleLagMs);
        this.lastSampleLagMs = late;
        due = now + LAG_SAMPLE_MS;
      }, LAG_SAMPLE_MS).unref();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.sampler);
  }

  /** Counts the request in until its response closes, or returns the 503 to refuse it with. */
  admit(response: ServerResponse): GatewayError | undefined {
    const { maxInFlight, maxLagMs } = this.limits;
    if (maxInFlight > 0 && this.inFlight >= maxInFlight) return overloaded('too many requests in flight');
    if (maxLagMs > 0 && this.lagMs > maxLagMs) return overloaded('its event loop is running late');
    if (maxInFlight > 0) {
      this.inFlight++;
      response.once('close', this.release);
    }
    return undefined;
  }

  private readonly release = (): void => {
    this.inFlight--;
  };
}

function overloaded(why: string): GatewayError {
  return new GatewayError(
    'overloaded',
    `This gateway instance is overloaded (${why}); retry in ${RETRY_AFTER_SECONDS} s.`,
    {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    },
  );
}
