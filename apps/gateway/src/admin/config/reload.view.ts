import type { Redactor } from '@app/observability';
import type { CatalogReloadEvent } from '@app/routing';

/** A catalog reload as the audit trail and the admin API show it; the rejection message is scrubbed. */
export function reloadView(event: CatalogReloadEvent, redactor: Redactor) {
  return {
    trigger: event.trigger,
    accepted: event.accepted,
    models: event.models,
    error: event.error === undefined ? null : redactor.text(event.error),
  };
}
