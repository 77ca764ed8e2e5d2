import type { AllowList } from '../api/types';

/** The text fields of a submitted form, by name (trimmed). */
export function formFields(event: Event): Record<string, string> {
  event.preventDefault();
  const data = new FormData(event.currentTarget as HTMLFormElement);
  const fields: Record<string, string> = {};
  data.forEach((value, name) => {
    if (typeof value === 'string') fields[name] = value.trim();
  });
  return fields;
}

/** An allow-list typed as comma- or newline-separated entries; empty means no limit (null). */
export function parseList(text: string | undefined): AllowList {
  const entries = (text ?? '')
    .split(/[,\n]/)
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.length > 0 ? entries : null;
}

export function listText(list: AllowList): string {
  return list?.join(', ') ?? '';
}

/** A `datetime-local` value (the viewer's zone) as an ISO timestamp; undefined when empty. */
export function localInputToIso(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** An ISO timestamp as a `datetime-local` value in the viewer's zone. */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}
