/**
 * Makes everything but one element unreachable (the `inert` attribute on the siblings of it and
 * of each of its ancestors), so a modal dialog is the only thing a keyboard, a pointer or a
 * screen reader's virtual cursor can reach, rather than relying on a Tab trap and aria-modal.
 */

/** Sets `inert` on every element outside `element`; the returned function undoes exactly that. */
export function inertOutside(element: HTMLElement): () => void {
  const changed: HTMLElement[] = [];
  for (let node: HTMLElement | null = element; node && node !== document.body; ) {
    const parent: HTMLElement | null = node.parentElement;
    for (const sibling of parent?.children ?? []) {
      if (sibling !== node && sibling instanceof HTMLElement && !sibling.hasAttribute('inert')) {
        sibling.setAttribute('inert', '');
        changed.push(sibling);
      }
    }
    node = parent;
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const sibling of changed) sibling.removeAttribute('inert');
  };
}
