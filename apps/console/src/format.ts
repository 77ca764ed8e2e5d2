/**
 * How the console writes numbers and times: in the viewer's locale and time zone, always with a unit or a
 * currency, and with the exact UTC time one hover away. Pure functions, so they are unit-tested in Node.
 */

const MISSING = '—';

const usdCache = new Map<number, Intl.NumberFormat>();
function usdFormat(fractionDigits: number): Intl.NumberFormat {
  let format = usdCache.get(fractionDigits);
  if (!format) {
    format = new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency: 'USD',
      minimumFractionDigits: 2,
      maximumFractionDigits: fractionDigits,
    });
    usdCache.set(fractionDigits, format);
  }
  return format;
}

/**
 * US dollars. Costs of single requests are fractions of a cent, so amounts under a dollar keep up to six
 * decimals (the API's precision, a micro-USD); larger ones are shown to the cent.
 */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return MISSING;
  return usdFormat(Math.abs(usd) < 1 ? 6 : 2).format(usd);
}

/** Costs in the evidence and usage reports are integer micro-USD. */
export function formatMicroUsd(micros: number | null | undefined): string {
  return micros === null || micros === undefined ? MISSING : formatUsd(micros / 1e6);
}

const countFormat = new Intl.NumberFormat();

export function formatCount(value: number | null | undefined, unit?: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const number = countFormat.format(value);
  if (!unit) return number;
  return `${number} ${value === 1 ? unit : `${unit}s`}`;
}

/** A duration: `850 ms` below a second, `1.25 s` to a minute, `2 min 5 s` above. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return MISSING;
  if (ms < 1_000) return `${countFormat.format(Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(2)} s`;
  const seconds = Math.round(ms / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A size in bytes: `512 B`, `64 KiB`, `20 MiB` (binary units, as the limits are set). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return MISSING;
  if (bytes < 1024) return `${countFormat.format(bytes)} B`;
  if (bytes < 1024 * 1024) return `${countFormat.format(Math.round((bytes / 1024) * 10) / 10)} KiB`;
  return `${countFormat.format(Math.round((bytes / 1024 / 1024) * 10) / 10)} MiB`;
}

const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return MISSING;
  return percentFormat.format(ratio);
}

const localFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A time in the viewer's zone, e.g. `Mar 10, 2026, 1:34:56 PM`. */
export function formatLocalTime(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : localFormat.format(date);
}

/** The same time in UTC, to the millisecond: `2026-03-10 12:34:56.789 UTC`. */
export function formatUtc(iso: string | null | undefined): string {
  if (!iso) return MISSING;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** The share of a budget used: spent and held for requests in flight, of the limit (1 when the limit is 0). */
export function budgetUsed(balance: { limit_usd: number; spent_usd: number; reserved_usd: number }): number {
  const used = balance.spent_usd + balance.reserved_usd;
  if (balance.limit_usd <= 0) return used > 0 ? 1 : 0;
  return used / balance.limit_usd;
}

/** `YYYY-MM-DD` of a date's UTC day: the unit of the usage reports. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first day of the date's UTC month. */
export function utcMonthStart(date: Date): string {
  return `${date.toISOString().slice(0, 7)}-01`;
}
