import type { IssuedKey } from '../../api/types';
import { CopyButton } from '../../ui/copy-button';
import { Dialog } from '../../ui/dialog';

/**
 * The one time a gateway key is visible: the gateway stores only its hash. Closing the dialog drops it
 * from the page's memory; nothing writes it anywhere else.
 */
export function IssuedKeyDialog({ issued, onClose }: { issued: IssuedKey; onClose: () => void }) {
  return (
    <Dialog title={issued.rotated_from ? 'Key rotated' : 'Key created'} onClose={onClose}>
      <p>
        <strong>Copy this key now.</strong> It is shown only once; the gateway keeps only its hash.
        {issued.rotated_from && ' The previous key no longer works.'}
      </p>
      <div class="secret-row">
        <code class="secret" data-testid="issued-key">
          {issued.key}
        </code>
        <CopyButton text={issued.key} />
      </div>
      <p class="muted">
        {issued.name} · {issued.environment} · {issued.masked_key}
      </p>
      <div class="actions">
        <button type="button" class="button" onClick={onClose}>
          I have stored it
        </button>
      </div>
    </Dialog>
  );
}
