import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { AlertWebhookConfig } from '@app/common';
import type { AlertPayload } from '../alert';
import { alertsConfig } from '../alerts.config';
import { alertSignature, SIGNATURE_HEADER } from './alert-signature';

/** A delivery's result: taken (any 2xx), or why not — a status or an error code, never a body or the URL. */
export type SendOutcome = { delivered: true } | { delivered: false; error: string };

/**
 * One signed POST of an alert to one webhook, over Node's fetch. Redirects are not followed (a 3xx is a
 * failure): the URL is configured, and a secret-bearing request should not wander. The body is signed as
 * sent, so the receiver verifies exactly the bytes it reads.
 */
@Injectable()
export class WebhookSender {
  constructor(@Inject(alertsConfig.KEY) private readonly settings: ConfigType<typeof alertsConfig>) {}

  async send(webhook: AlertWebhookConfig, payload: AlertPayload, now: Date): Promise<SendOutcome> {
    const body = JSON.stringify(payload);
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchyard-Alerts/1',
          [SIGNATURE_HEADER]: alertSignature(webhook.secret, body, now),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      // The answer's body means nothing to us: discarded unread, so a large one costs no memory.
      await response.body?.cancel();
      return response.ok ? { delivered: true } : { delivered: false, error: `HTTP ${response.status}` };
    } catch (error) {
      return { delivered: false, error: failureCode(error) };
    }
  }
}

/** `ECONNREFUSED`, `timeout`…: what went wrong, without the message (which may quote the URL). */
function failureCode(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timeout';
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'network error';
}
