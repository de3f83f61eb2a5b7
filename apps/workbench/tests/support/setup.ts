// Test setup for the component tests: jest-dom matchers, cleanup between tests, and the layout
// numbers jsdom does not compute (it has no layout engine), so the virtualised table renders rows.
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// Tests of the Workbench's server (tests/server/) run in Node, with no DOM to adjust.
if (typeof HTMLElement !== 'undefined') installLayout();

function installLayout(): void {
  const VIEWPORT = { clientHeight: 720, clientWidth: 1200, offsetHeight: 720, offsetWidth: 1200 };
  for (const [property, value] of Object.entries(VIEWPORT)) {
    Object.defineProperty(HTMLElement.prototype, property, {
      configurable: true,
      get: () => value,
    });
  }
  // jsdom does not implement element scrolling; the virtualiser only needs the offset recorded.
  Element.prototype.scrollTo = function scrollTo(
    this: Element,
    options?: ScrollToOptions | number,
  ) {
    if (typeof options === 'object' && options.top !== undefined) this.scrollTop = options.top;
  };
}
