import { HttpModuleOptions, HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { isCancel } from 'axios';
import type { Readable } from 'node:stream';
import type { AlertWebhookConfig } from '@app/common';
import type { AlertPayload } from '../alert';
import { alertsConfig } from '../alerts.config';
import { alertSignature, SIGNATURE_HEADER } from './alert-signature';

/** A delivery's result: taken (any 2xx), or why not — a status or an error code, never a body or the URL. */
export type SendOutcome = { delivered: true } | { delivered: false; error: string };

/**
 * The webhook client's axios defaults (`HttpModule.register` in `AlertsModule`). Redirects are not followed
 * (a 3xx is a failure): the URL is configured, and a secret-bearing request should not wander; no proxy from
 * the environment either (the URL is reached directly, as it always was). Every status is an answer, judged
 * here, and the answer's body is a stream, discarded unread.
 */
export const WEBHOOK_CLIENT_DEFAULTS: HttpModuleOptions = {
  maxRedirects: 0,
  proxy: false,
  responseType: 'stream',
  validateStatus: () => true,
};

/**
 * One signed POST of an alert to one webhook, over the injected `@nestjs/axios` client (off the request path,
 * where its per-call cost does not matter). The body is signed as sent, so the receiver verifies exactly the
 * bytes it reads: it goes out as those bytes, which axios passes through untouched.
 */
@Injectable()
export class WebhookSender {
  constructor(
    private readonly http: HttpService,
    @Inject(alertsConfig.KEY) private readonly settings: ConfigType<typeof alertsConfig>,
  ) {}

  async send(webhook: AlertWebhookConfig, payload: AlertPayload, now: Date): Promise<SendOutcome> {
    const body = JSON.stringify(payload);
    try {
      const response = await this.http.axiosRef.post<Readable>(webhook.url, Buffer.from(body), {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Switchyard-Alerts/1',
          [SIGNATURE_HEADER]: alertSignature(webhook.secret, body, now),
        },
        // The whole POST, connecting included, not axios's `timeout` (which is the socket's idle time).
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      // The answer's body means nothing to us: discarded unread, so a large one costs no memory.
      response.data.destroy();
      const { status } = response;
      return status >= 200 && status < 300 ? { delivered: true } : { delivered: false, error: `HTTP ${status}` };
    } catch (error) {
      return { delivered: false, error: failureCode(error) };
    }
  }
}

/** `ECONNREFUSED`, `timeout`…: what went wrong, without the message (which may quote the URL). */
function failureCode(error: unknown): string {
  if (isCancel(error)) return 'timeout'; // the signal above is the only canceller
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'network error';
}
