import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { finalize, Observable } from 'rxjs';
import { requestContext } from '@app/common';

/**
 * Marks each handler's real end on the request context; it measures nothing itself. A stream is written to
 * the raw reply, so its handler ends when the relay does (normal end, client abort or upstream failure), not
 * when the headers went out: `context.handled` resolves then, and the evidence record and metrics, which
 * measure latency to the end of the response, wait for it so that they also see what the relay settled last
 * (usage, cost, the error that ended it). The `server-timing` header is set by `serverTimingHook` instead:
 * the proxy routes send their own replies before an interceptor would see them.
 */
@Injectable()
export class HandlerCompletionInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = requestContext(context.switchToHttp().getRequest<{ raw: object }>().raw);
    let finished!: () => void;
    request.handled = new Promise((resolve) => (finished = resolve));
    return next.handle().pipe(finalize(() => finished()));
  }
}
