import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hostname } from 'node:os';
import pino, { DestinationStream, Logger } from 'pino';
import { LineBatch } from './line-batch';
import { observabilityConfig } from './observability.config';
import { requestLogLine } from './request-logging';

/** Where log lines go when not stdout (tests capture them). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** Request lines to stdout in writes of at least 4 KiB or every 200 ms, whichever comes first. */
function bufferedStdout(): LineBatch {
  return new LineBatch(1, 4_096, 200);
}

/**
 * Writes the one line per request when the response has ended (the app's `onRequest` hook calls it). Not
 * pino-http middleware: it costs no middleware layer, no child logger and no async-local storage per request.
 */
@Injectable()
export class RequestLog implements OnApplicationShutdown {
  private readonly logger: Logger;
  private readonly batch?: LineBatch;
  private readonly destination: DestinationStream;
  /** What pino writes after `time` on every line: the process's bindings (`pid`, `hostname`). */
  private readonly bindings: string;

  constructor(
    @Inject(observabilityConfig.KEY) settings: ConfigType<typeof observabilityConfig>,
    @Optional() @Inject(LOG_DESTINATION) destination?: DestinationStream,
  ) {
    // Asynchronous to stdout, in writes of at least 4 KiB or every 200 ms, whichever comes first (a write per
    // request cost ~4 % of the gateway's CPU under load). The batch is flushed at shutdown and when the process
    // exits; a crash loses at most the last 200 ms of lines (evidence records are written separately). No redaction
    // paths: a request line is built from named fields only (never headers or bodies), and pino's redaction
    // would clone every line to look for paths that cannot be there.
    if (!destination) this.batch = bufferedStdout();
    this.destination = destination ?? this.batch!;
    this.logger = pino({ level: settings.logLevel }, this.destination);
    this.bindings = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`;
  }

  onApplicationShutdown(): void {
    if (this.batch) this.batch.close();
    else this.logger.flush();
  }

  /**
   * Writes the request's line, once its response has closed: pino's line byte for byte (level, time, bindings,
   * the fields, the message), written to pino's destination as text.
   */
  responseClosed(request: FastifyRequest, reply: FastifyReply): void {
    const line = requestLogLine(request.raw, reply.raw);
    if (!line) return;
    const level = line.status >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    this.destination.write(
      `{"level":${this.logger.levels.values[level]},"time":${Date.now()}${this.bindings},${line.members}}\n`,
    );
  }
}
