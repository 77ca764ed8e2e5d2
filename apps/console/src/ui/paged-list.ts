import { useState } from 'preact/hooks';
import type { Page } from '../api/types';
import { asError, Resource, useResource } from './resource';

export interface PagedList<T, C> {
  /** The first page: loading, failed or ready (render the list once it is ready). */
  first: Resource<Page<T, C>>;
  /** Every item loaded so far, newest first. */
  items: T[];
  /** Where the next (older) page starts; null when there is none. */
  cursor: C | null;
  loadMore: () => Promise<void>;
  loadingMore: boolean;
  moreError: Error | null;
  /** Starts over from the newest page. */
  reload: () => void;
}

/**
 * A newest-first list the admin API serves in pages (`next_cursor`): the first page, and older ones on
 * request. To list something else (other filters), remount the component using it.
 */
export function usePagedList<T, C>(load: (cursor: C | null) => Promise<Page<T, C>>): PagedList<T, C> {
  const [first, reloadFirst] = useResource(() => load(null), []);
  const [older, setOlder] = useState<{ items: T[]; cursor: C | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | null>(null);

  const ready = first.status === 'ready' ? first.data : null;
  const items = ready ? [...ready.data, ...(older?.items ?? [])] : [];
  const cursor = older ? older.cursor : (ready?.next_cursor ?? null);

  const loadMore = async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    setMoreError(null);
    try {
      const next = await load(cursor);
      setOlder({ items: [...(older?.items ?? []), ...next.data], cursor: next.next_cursor });
    } catch (failure) {
      setMoreError(asError(failure));
    } finally {
      setLoadingMore(false);
    }
  };

  const reload = () => {
    setOlder(null);
    reloadFirst();
  };

  return { first, items, cursor, loadMore, loadingMore, moreError, reload };
}
