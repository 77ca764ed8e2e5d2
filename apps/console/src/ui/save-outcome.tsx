import { FormError } from './dialog';
import type { SaveState } from './use-save';

/** What the form's last save did: its error, or its success in words (announced to screen readers). */
export function SaveOutcome({ save }: { save: SaveState }) {
  return (
    <>
      <FormError error={save.error} />
      {save.saved && (
        <p class="saved" role="status">
          {save.saved}
        </p>
      )}
    </>
  );
}
