import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import { requestContext, scrubSecrets } from '@app/common';

/** Header paths pino must never print, even if a serializer change lets headers through. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'req.headers["x-goog-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One JSON line per request: id, route, status, latency, and who called which model. Neither headers nor
 * bodies are serialised, so keys and prompts cannot reach the log; URLs are scrubbed, since people paste
 * keys into query strings.
 */
export function requestLoggingOptions(level: string, stream?: DestinationStream): Options {
  return {
    level,
    stream,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    genReqId: (req) => requestContext(req).requestId || String(req.id),
    // Runs as middleware, where middie has cut the mount path off req.url; originalUrl is the real one.
    autoLogging: { ignore: (req) => QUIET_ROUTES.has(((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0]) },
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, url: loggedUrl(req) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customProps: (req) => {
      const context = requestContext(req);
      const principal = context.principal;
      return {
        key_id: principal?.keyId ?? context.adminKeyId,
        project_id: principal?.projectId,
        team_id: principal?.teamId,
        model: context.modelRequested,
        served_model: context.trace?.modelServed,
        deployment: context.trace?.deployment,
        attempts: context.trace?.attempts.length,
      };
    },
    customSuccessMessage: (req, res, responseTime) => `${req.method} ${loggedUrl(req)} ${res.statusCode} ${Math.round(responseTime)}ms`,
    customErrorMessage: (req, res) => `${req.method} ${loggedUrl(req)} ${res.statusCode} failed`,
  };
}

function loggedUrl(req: IncomingMessage): string {
  return scrubSecrets(req.url ?? '');
}
