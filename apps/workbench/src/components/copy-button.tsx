/**
 * Copies a value to the clipboard and says so in a live region, so that a screen reader user
 * hears the result as well as a sighted one sees it.
 */
import { useEffect, useState } from 'react';

type CopyState = 'idle' | 'copied' | 'failed';

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setState('copied');
    } catch {
      // Clipboard access needs a secure context and permission; the value stays selectable.
      setState('failed');
    }
  };

  return (
    <span className="copy">
      <button type="button" className="button button--small" onClick={copy} aria-label={label}>
        Copy
      </button>
      <span role="status" className="copy__status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select the text' : ''}
      </span>
    </span>
  );
}
