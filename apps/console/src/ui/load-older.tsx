import { FormError } from './dialog';
import type { PagedList } from './paged-list';

/** The "older items" button under a paged list, with its failure if loading them failed. */
export function LoadOlder<T, C>({ list, label }: { list: PagedList<T, C>; label: string }) {
  return (
    <>
      <FormError error={list.moreError} />
      {list.cursor !== null && (
        <button type="button" class="button" onClick={() => void list.loadMore()} disabled={list.loadingMore}>
          {list.loadingMore ? 'Loading…' : label}
        </button>
      )}
    </>
  );
}
