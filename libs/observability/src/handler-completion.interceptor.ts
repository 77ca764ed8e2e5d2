import { CallHandler, ExecutionContext, Injectable } from '@nestjs/common';
import { finalize, Observable } from 'rxjs';
import { requestContext } from '@app/common';
import { PromiseInterceptor } from './promise-interceptor';

/**
 * Marks each handler's real end on the request context; it measures nothing itself. A stream is written to
 * the raw reply, so its handler ends when the relay does (normal end, client abort or upstream failure), not
 * when the headers went out: `context.handled` resolves then, and the evidence record and metrics, which
 * measure latency to the end of the response, wait for it so that they also see what the relay settled last
 * (usage, cost, the error that ended it). The `server-timing` header is set by `serverTimingHook` instead:
 * the proxy routes send their own replies before an interceptor would see them.
 */
@Injectable()
export class HandlerCompletionInterceptor implements PromiseInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const finished = this.started(context);
    return next.handle().pipe(finalize(finished));
  }

  around<T>(context: ExecutionContext, handle: () => Promise<T>): Promise<T> {
    const finished = this.started(context);
    return handle().finally(finished);
  }

  /** Opens `handled` on the request context; the function returned settles it. */
  private started(context: ExecutionContext): () => void {
    const request = requestContext(context.switchToHttp().getRequest<{ raw: object }>().raw);
    let finished!: () => void;
    request.handled = new Promise<void>((resolve) => (finished = resolve));
    return finished;
  }
}
