/** The bar at the top of every page: the Workbench's name, and what the page puts on its right. */
import type { ReactNode } from 'react';

export function AppHeader({ children }: { readonly children?: ReactNode }) {
  return (
    <header className="app-header">
      <div className="app-header__brand">
        <span className="app-header__logo" aria-hidden="true">
          ◆
        </span>
        <span>Policy Gateway Workbench</span>
      </div>
      {children}
    </header>
  );
}
