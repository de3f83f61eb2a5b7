// Test setup for the component tests: jest-dom matchers, cleanup between tests, and the layout
// numbers jsdom does not compute (it has no layout engine), so the virtualised table renders rows.
import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => cleanup());

// findBy…/waitFor give up after 5 s instead of 1 s: on a shared 2-core machine under load the
// fake gateway's answers (config, sign-in, then the page) can take longer than 1 s to render.
// This bounds a wait; it asserts nothing about speed.
configure({ asyncUtilTimeout: 5000 });

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
