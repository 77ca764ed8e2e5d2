import { formatLocalTime, formatUtc } from '../format';

/** A time in the viewer's zone; the exact UTC time on hover. */
export function Time({ iso }: { iso: string | null | undefined }) {
  if (!iso) return <span class="muted">—</span>;
  return (
    <time dateTime={iso} title={formatUtc(iso)}>
      {formatLocalTime(iso)}
    </time>
  );
}
