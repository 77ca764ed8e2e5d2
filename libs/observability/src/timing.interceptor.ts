import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Observable, tap } from 'rxjs';

interface TimedReply {
  raw: ServerResponse;
  sent: boolean;
  header(name: string, value: string): unknown;
}

/**
 * Adds `server-timing: gateway;dur=<ms>` to responses the handler returns. Streamed responses write their
 * own headers before the first chunk; their total time is logged and recorded at stream end instead.
 */
@Injectable()
export class TimingInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const started = performance.now();
    const reply = context.switchToHttp().getResponse<TimedReply>();
    return next.handle().pipe(
      tap(() => {
        if (!reply.sent && !reply.raw.headersSent) {
          reply.header('server-timing', `gateway;dur=${(performance.now() - started).toFixed(1)}`);
        }
      }),
    );
  }
}
