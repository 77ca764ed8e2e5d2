import type { INestApplication } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Readiness } from './readiness';

const IDLE_SWEEP_MS = 100;

/**
 * On SIGTERM (or SIGINT): readiness turns 503 at once; after `drainDelayMs` (SIGTERM only: the time load
 * balancers need to notice) the listener closes, in-flight requests and streams run to their end, their
 * evidence is written, the database closes, and the process exits 0. A second signal is not caught, so it
 * stops the process at once.
 */
export function stopGracefullyOn(app: INestApplication, drainDelayMs: number): void {
  const logger = new Logger('Shutdown');
  const stop = async (signal: NodeJS.Signals) => {
    logger.log({ signal, drainDelayMs }, 'draining: readiness is 503; in-flight requests will finish');
    app.get(Readiness).startDraining();
    if (signal === 'SIGTERM') await sleep(drainDelayMs);
    // A keep-alive connection left idle by a finished stream would hold the closing server open until the
    // client drops it; close each one as it goes idle.
    const server = app.getHttpServer() as Server;
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    await app.close();
    clearInterval(sweep);
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop(signal).catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
    });
  }
}
