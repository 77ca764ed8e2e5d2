import { useState } from 'preact/hooks';
import { asError } from './resource';

/** Runs a form's save, remembering its failure or success (in words) for the form to show. */
export function useSave() {
  const [error, setError] = useState<Error | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async (what: () => Promise<void>, done: string) => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      await what();
      setSaved(done);
    } catch (failure) {
      setError(asError(failure));
    } finally {
      setBusy(false);
    }
  };
  return { error, saved, busy, run };
}

export type SaveState = ReturnType<typeof useSave>;
