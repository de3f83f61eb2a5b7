/** Pretty-printed JSON in a scrollable, focusable block (so it can be scrolled by keyboard). */
import { CopyButton } from './copy-button.js';

export function JsonView({ value, label }: { value: unknown; label: string }) {
  const text = value === undefined ? 'undefined' : JSON.stringify(value, null, 2);
  return (
    <figure className="json">
      <figcaption className="json__caption">
        <span>{label}</span>
        <CopyButton value={text} label={`Copy ${label.toLowerCase()}`} />
      </figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard */}
      <pre className="json__body" tabIndex={0}>
        <code>{text}</code>
      </pre>
    </figure>
  );
}
