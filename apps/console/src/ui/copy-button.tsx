import { useState } from 'preact/hooks';

/** Copies `text` to the clipboard, and says whether that worked. */
export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [outcome, setOutcome] = useState<'copied' | 'failed' | null>(null);
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => setOutcome('copied'),
      () => setOutcome('failed'),
    );
  };
  return (
    <span class="copy">
      <button type="button" class="button primary" onClick={copy}>
        {outcome === 'copied' ? 'Copied' : label}
      </button>
      {outcome === 'failed' && <span class="form-error">The browser refused; select the text and copy it.</span>}
    </span>
  );
}
