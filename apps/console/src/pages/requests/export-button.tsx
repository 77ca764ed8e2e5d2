import { useState } from 'preact/hooks';
import { exportRequests, RequestFilter } from '../../api/admin-api';
import { useSession } from '../../session/session';
import { FormError } from '../../ui/dialog';
import { asError } from '../../ui/resource';

/**
 * Downloads every record matching the filter. The file is fetched with the token in the Authorization
 * header and handed to the browser as a blob: a plain link would need the token in its URL.
 */
export function ExportButtons({ filter }: { filter: RequestFilter }) {
  const { api } = useSession();
  const [busy, setBusy] = useState<'csv' | 'jsonl' | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const download = async (format: 'csv' | 'jsonl') => {
    setBusy(format);
    setError(null);
    try {
      const blob = await exportRequests(api, filter, format);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `switchyard-requests-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.${format}`;
      link.click();
      // After the click has handed the blob to the download.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (failure) {
      setError(asError(failure));
    } finally {
      setBusy(null);
    }
  };
  return (
    <div class="export">
      <button type="button" class="button" disabled={busy !== null} onClick={() => void download('csv')}>
        {busy === 'csv' ? 'Exporting…' : 'Export CSV'}
      </button>
      <button type="button" class="button" disabled={busy !== null} onClick={() => void download('jsonl')}>
        {busy === 'jsonl' ? 'Exporting…' : 'Export JSONL'}
      </button>
      <FormError error={error} />
    </div>
  );
}
