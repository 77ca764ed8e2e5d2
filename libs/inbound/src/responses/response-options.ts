import { newId } from '@app/common';
import type { ResponseIdGenerator, UnixClock } from './responses.types';

export interface ResponseOptions {
  /** Response and item ids; `newId` from @app/common by default. */
  ids?: ResponseIdGenerator;
  /** Unix seconds now, for `created_at` / `completed_at`; the system clock by default. */
  now?: UnixClock;
}

export function resolveOptions(options: ResponseOptions): Required<ResponseOptions> {
  return { ids: options.ids ?? newId, now: options.now ?? (() => Math.floor(Date.now() / 1000)) };
}
