import { CallHandler, ExecutionContext, Injectable } from '@nestjs/common';
import { catchError, Observable, throwError } from 'rxjs';
import { PromiseInterceptor } from './promise-interceptor';
import { Redactor } from './redactor';

/** Passes every error a handler throws through the redactor before the exception filter sees it. */
@Injectable()
export class RedactionInterceptor implements PromiseInterceptor {
  constructor(private readonly redactor: Redactor) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.redactor.error(error))));
  }

  around<T>(_context: ExecutionContext, handle: () => Promise<T>): Promise<T> {
    return handle().catch((error: unknown) => {
      throw this.redactor.error(error);
    });
  }
}
