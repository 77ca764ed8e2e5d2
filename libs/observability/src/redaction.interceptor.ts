import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, Observable, throwError } from 'rxjs';
import { Redactor } from './redactor';

/** Passes every error a handler throws through the redactor before the exception filter sees it. */
@Injectable()
export class RedactionInterceptor implements NestInterceptor {
  constructor(private readonly redactor: Redactor) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.redactor.error(error))));
  }
}
