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
  /** The response's status (500 and above are logged as errors). */
  status: number;
  /**
   * The line's own fields as JSON members, message last: what pino would print after its `level`, `time`,
   * `pid` and `hostname` (absent fields left out, as pino leaves out undefined values).
   */
  members: string;
}

/**
 * One JSON line per request, written when its response has ended (for a stream, at its end): id, route,
 * status, latency, and who called which model. Neither headers nor bodies are logged, so keys and prompts
 * cannot reach the log; the URL and the model asked for are scrubbed, since people paste keys into query
 * strings and model fields (the request id is checked when it arrives, see `requestIdFrom`). Null for the
 * health and metrics routes, which would drown everything else. Written as text here rather than as an object
 * for pino to serialize, which cost 2.5 KB and a JSON pass per nested object on every request.
 */
export function requestLogLine(request: IncomingMessage, response: ServerResponse): RequestLogLine | null {
  const url = request.url ?? '';
  const query = url.indexOf('?');
  if (QUIET_ROUTES.has(query < 0 ? url : url.slice(0, query))) return null;
  const context = requestContext(request);
  const principal = context.principal;
  const trace = context.trace;
  const responseTime = Math.round(preciseNow() - context.receivedAt);
  const loggedUrl = scrubSecrets(url);
  const status = response.headersSent ? response.statusCode : unansweredStatus(request);
  const model =
    context.modelRequested === undefined ? undefined : truncate(scrubSecrets(context.modelRequested), MAX_CLIENT_TEXT);
  const method = request.method ?? '';
  return {
    status,
    members:
      `"req":{"id":${JSON.stringify(context.requestId)},"method":${JSON.stringify(method)},` +
      `"url":${JSON.stringify(loggedUrl)}},"res":{"statusCode":${status}},"responseTime":${responseTime}` +
      member('key_id', principal?.keyId ?? context.adminKeyId) +
      member('project_id', principal?.projectId) +
      member('team_id', principal?.teamId) +
      member('model', model) +
      member('served_model', trace?.modelServed) +
      member('deployment', trace?.deployment) +
      member('attempts', trace?.attempts.length) +
      `,"msg":${JSON.stringify(`${method} ${loggedUrl} ${status} ${responseTime}ms`)}`,
  };
}

/** `,"name":value`, or nothing for an absent value. */
function member(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `,"${name}":${JSON.stringify(value)}`;
}
