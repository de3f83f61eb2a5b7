/**
 * Tabs whose selection is the route, following the WAI-ARIA tabs pattern: one tab stop,
 * Left/Right (wrapping), Home and End move focus and select the tab (automatic activation).
 * The selected tab is the one whose route the router matched, so the tab bar and the routes
 * cannot disagree.
 */
import { type KeyboardEvent, type ReactNode, useId, useRef } from 'react';
import { useMatches, useNavigate } from 'react-router';

export interface RouteTab {
  readonly key: string;
  readonly label: string;
  /** Path (with search) the tab navigates to. */
  readonly to: string;
  /** The id of the tab's route; the tab is selected while that route matches. */
  readonly routeId: string;
}

interface RouteTabsProps {
  readonly label: string;
  readonly tabs: readonly RouteTab[];
  readonly children: ReactNode;
}

export function RouteTabs({ label, tabs, children }: RouteTabsProps) {
  const id = useId();
  const navigate = useNavigate();
  const matches = useMatches();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const selectedIndex = Math.max(
    0,
    tabs.findIndex((tab) => matches.some((match) => match.id === tab.routeId)),
  );

  const select = (index: number) => {
    const tab = tabs[index];
    if (!tab) return;
    refs.current[index]?.focus();
    if (index !== selectedIndex) navigate(tab.to);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const last = tabs.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: selectedIndex === last ? 0 : selectedIndex + 1,
      ArrowLeft: selectedIndex === 0 ? last : selectedIndex - 1,
      Home: 0,
      End: last,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      select(target);
    }
  };

  return (
    <>
      <div role="tablist" aria-label={label} className="tabs" onKeyDown={onKeyDown}>
        {tabs.map((tab, index) => {
          const selected = index === selectedIndex;
          return (
            <button
              key={tab.key}
              ref={(element) => {
                refs.current[index] = element;
              }}
              type="button"
              role="tab"
              id={`${id}-tab-${tab.key}`}
              aria-selected={selected}
              aria-controls={`${id}-panel`}
              tabIndex={selected ? 0 : -1}
              className="tabs__tab"
              onClick={() => select(index)}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <div
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={`${id}-tab-${tabs[selectedIndex]?.key}`}
        className="tabs__panel"
      >
        {children}
      </div>
    </>
  );
}
