import { createHash } from 'node:crypto';

/**
 * How the outbox names a webhook: 16 hex digits of the SHA-256 of its URL. The URL itself may carry a token
 * (Slack-style URLs), so neither it nor the secret reaches the database; a URL removed from the config
 * leaves rows no configured webhook claims, and they are no longer attempted.
 */
export function webhookId(url: string): string {
  return createHash('sha256').update(url).digest('hex').slice(0, 16);
}
