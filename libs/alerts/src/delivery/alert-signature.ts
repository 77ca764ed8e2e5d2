import { createHmac } from 'node:crypto';

/** The header every delivery carries. */
export const SIGNATURE_HEADER = 'x-switchyard-signature';

/**
 * Stripe's scheme: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with the webhook's secret.
 * The timestamp is signed with the body, so a receiver that refuses old timestamps refuses replays too.
 */
export function alertSignature(secret: string, rawBody: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  const v1 = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest('hex');
  return `t=${t},v1=${v1}`;
}
