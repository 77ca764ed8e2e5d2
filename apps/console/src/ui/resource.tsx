import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Resource<T> =
  { status: 'loading' } | { status: 'error'; error: Error } | { status: 'ready'; data: T; refreshing: boolean };

/**
 * Data loaded for a component: loading, failed or ready. `reload()` fetches again while the current data
 * stays on screen (marked refreshing), so a save does not blank the page; a change of `deps` starts over.
 */
export function useResource<T>(load: () => Promise<T>, deps: unknown[]): [Resource<T>, () => void] {
  const [state, setState] = useState<Resource<T>>({ status: 'loading' });
  const [version, setVersion] = useState(0);
  const loadedDeps = useRef<unknown[] | null>(null);

  // `load` is a fresh closure on every render; `deps` say when it means something new.
  useEffect(() => {
    let live = true;
    const previousDeps = loadedDeps.current;
    const sameDeps = previousDeps !== null && deps.every((dep, i) => Object.is(dep, previousDeps[i]));
    loadedDeps.current = deps;
    setState((previous) =>
      sameDeps && previous.status === 'ready' ? { ...previous, refreshing: true } : { status: 'loading' },
    );
    load().then(
      (data) => live && setState({ status: 'ready', data, refreshing: false }),
      (error: unknown) => live && setState({ status: 'error', error: asError(error) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, version]);

  const reload = useCallback(() => setVersion((v) => v + 1), []);
  return [state, reload];
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

export function Loading({ label }: { label: string }) {
  return (
    <div class="state state-loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="state state-empty">
      <strong>{title}</strong>
      {children && <p>{children}</p>}
    </div>
  );
}

export function ErrorNote({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="state state-error" role="alert">
      <strong>Could not load this.</strong>
      <p>{error.message}</p>
      {retry && (
        <button type="button" class="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

interface AsyncProps<T> {
  value: Resource<T>;
  /** What is being loaded, e.g. "Loading keys…". */
  loading: string;
  retry?: () => void;
  children: (data: T) => ComponentChildren;
}

/** Renders a resource's loading and error states, and `children` once it is ready. */
export function Async<T>({ value, loading, retry, children }: AsyncProps<T>) {
  if (value.status === 'loading') return <Loading label={loading} />;
  if (value.status === 'error') return <ErrorNote error={value.error} retry={retry} />;
  return <>{children(value.data)}</>;
}
