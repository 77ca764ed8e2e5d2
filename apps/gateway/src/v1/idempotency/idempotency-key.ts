import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { GatewayError } from '@app/common';

/** The request header, Stripe's and OpenAI's name for it (Node lower-cases header names). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** 1–255 printable ASCII characters, spaces included: a UUID, or any id a client already has. */
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

/** The request's Idempotency-Key, undefined without the header; a malformed one is a 400. */
export function idempotencyKeyOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[IDEMPOTENCY_KEY_HEADER];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && VALID_KEY.test(value)) return value;
  throw new GatewayError(
    'invalid_request_error',
    'The Idempotency-Key header must be 1 to 255 printable ASCII characters (a UUID, for example).',
    { param: 'Idempotency-Key' },
  );
}

/** Each idempotent request's fingerprint, noted while its body is parsed (the raw text is not kept). */
const FINGERPRINTS = new WeakMap<IncomingMessage, Buffer>();

/**
 * Called by the body parser with the raw body text: a request carrying an Idempotency-Key gets its
 * fingerprint here, so that only those requests pay for the hash.
 */
export function noteRequestBody(request: IncomingMessage, text: string): void {
  if (request.headers[IDEMPOTENCY_KEY_HEADER] !== undefined) FINGERPRINTS.set(request, fingerprint(request, text));
}

/**
 * What makes two requests "the same" for an Idempotency-Key: method, path and the body's exact bytes
 * (SHA-256). Byte-exact rather than JSON-canonical: an SDK retrying sends the same bytes, and anything else
 * resending a key with a re-serialised body is told so (422) rather than silently answered.
 */
export function requestFingerprint(request: IncomingMessage): Buffer {
  return FINGERPRINTS.get(request) ?? fingerprint(request, '');
}

function fingerprint(request: IncomingMessage, body: string): Buffer {
  const path = (request.url ?? '').split('?')[0];
  return createHash('sha256').update(`${request.method} ${path}\n`).update(body).digest();
}
