import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import { preciseNow, requestContext, scrubSecrets, truncate, unansweredStatus } from '@app/common';
import { demoteFrameworkInfo } from './framework-log-level';

/** Paths pino must never print, should a log call ever pass headers. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);
/** As in the evidence record: the longest client-supplied value a line carries. */
const MAX_CLIENT_TEXT = 256;

/**
 * The root pino logger's options: level, destination, redaction, the framework's start-up lines at debug. The
 * app's own lines (start-up, warnings, errors; never one per request: those are RequestLog's) go to stdout
 * synchronously, so whatever `main` prints after start-up comes after them.
 */
export function loggerOptions(
  level: string,
  stream: DestinationStream = pino.destination({ dest: 1, sync: true }),
): LoggerOptions & { stream: DestinationStream } {
  return {
    level,
    stream,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: { logMethod: demoteFrameworkInfo },
  };
}

export interface RequestLogLine {
  fields: Record<string, unknown>;
  message: string;
}

/**
 * One JSON line per request, written when its response has ended (for a stream, at its end): id, route,
 * status, latency, and who called which model. Neither headers nor bodies are logged, so keys and prompts
 * cannot reach the log; the URL and the model asked for are scrubbed, since people paste keys into query
 * strings and model fields (the request id is checked when it arrives, see `requestIdFrom`). Null for the
 * health and metrics routes, which would drown everything else.
 */
export function requestLogLine(request: IncomingMessage, response: ServerResponse): RequestLogLine | null {
  const url = request.url ?? '';
  if (QUIET_ROUTES.has(url.split('?')[0])) return null;
  const context = requestContext(request);
  const principal = context.principal;
  const responseTime = Math.round(preciseNow() - context.receivedAt);
  const loggedUrl = scrubSecrets(url);
  const status = response.headersSent ? response.statusCode : unansweredStatus(request);
  return {
    fields: {
      req: { id: context.requestId, method: request.method, url: loggedUrl },
      res: { statusCode: status },
      responseTime,
      key_id: principal?.keyId ?? context.adminKeyId,
      project_id: principal?.projectId,
      team_id: principal?.teamId,
      model: context.modelRequested && truncate(scrubSecrets(context.modelRequested), MAX_CLIENT_TEXT),
      served_model: context.trace?.modelServed,
      deployment: context.trace?.deployment,
      attempts: context.trace?.attempts.length,
    },
    message: `${request.method} ${loggedUrl} ${status} ${responseTime}ms`,
  };
}
