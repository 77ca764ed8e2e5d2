import { createHash } from 'node:crypto';
import { extname } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { gzipSync } from 'node:zlib';

/** One file served from memory (the console's, the API reader's), with everything its response needs. */
export interface StaticFile {
  body: Buffer;
  /** The same bytes gzipped, when that is smaller. */
  gzipped: Buffer | null;
  contentType: string;
  etag: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file whose URL changes with its content may be cached for good. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A file whose URL stays the same must be checked on every load (it answers 304 if unchanged). */
export const REVALIDATE = 'no-cache';

/**
 * On every page and file of the console and the API reader. A page runs only its own script and style files
 * (no inline code, so an injected string cannot run), talks only to this origin, submits no forms natively
 * (a form whose script failed must not put a token in a URL), is never framed, and sends no referrer.
 */
export const SELF_ONLY_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** `name` gives the content type (by its extension). */
export function staticFile(name: string, body: Buffer, cacheControl: string): StaticFile {
  const gzipped = gzipSync(body, { level: 9 });
  return {
    body,
    gzipped: gzipped.length < body.length ? gzipped : null,
    contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    cacheControl,
  };
}

/** Answers 304 when the browser holds this version, and gzipped bytes when it accepts them. */
export async function sendStaticFile(file: StaticFile, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('etag', file.etag).header('cache-control', file.cacheControl);
  if (file.gzipped) reply.header('vary', 'accept-encoding');
  if (request.headers['if-none-match'] === file.etag) {
    await reply.status(304).send();
    return;
  }
  reply.header('content-type', file.contentType);
  if (file.gzipped && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')) {
    await reply.header('content-encoding', 'gzip').send(file.gzipped);
    return;
  }
  await reply.send(file.body);
}
