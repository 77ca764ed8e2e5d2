import { useState } from 'preact/hooks';
import { FormError } from './ui/dialog';
import { asError } from './ui/resource';

interface SignInProps {
  onSignIn: (token: string) => Promise<void>;
  /** Why the last session ended, if it did not end by signing out. */
  notice: string | null;
}

/**
 * Sign-in by pasting an admin token. The input has no `name` and the form no action: even with its
 * script gone, the browser has nothing to put into a URL (and the CSP's form-action 'none' forbids it).
 */
export function SignIn({ onSignIn, notice }: SignInProps) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSignIn(token.trim());
    } catch (failure) {
      setError(asError(failure));
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form class="card sign-in-card" onSubmit={(event) => void submit(event)}>
        <h1>Switchyard console</h1>
        {notice && <p class="notice">{notice}</p>}
        <label for="admin-token">Admin token</label>
        <input
          id="admin-token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          placeholder="sy-admin-…"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
        />
        <p class="hint">
          Paste an admin token or the gateway's admin key. It stays in this tab's session storage, is sent only in the
          Authorization header of admin API calls, and is forgotten when the tab closes.
        </p>
        <FormError error={error} />
        <button type="submit" class="button primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
