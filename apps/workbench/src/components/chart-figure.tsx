/**
 * One chart of the Overview, readable three ways: the chart itself (for the eye; a click opens
 * the Audit Log filtered to what was clicked), a sentence that says what it shows (its text
 * alternative), and a table of the same numbers behind a "Show table" button, whose cells link
 * to the filtered Audit Log, for keyboards and screen readers.
 */
import { type ReactNode, useId, useState } from 'react';

interface ChartFigureProps {
  readonly title: string;
  /** What the chart shows, in a sentence or two: its text alternative. */
  readonly summary: string;
  /** The chart: drawn for the eye, hidden from assistive technology (the table says it all). */
  readonly chart: ReactNode;
  /** The table view: a `<table>` with the chart's numbers. */
  readonly table: ReactNode;
}

export function ChartFigure({ title, summary, chart, table }: ChartFigureProps) {
  const id = useId();
  const [showTable, setShowTable] = useState(false);
  return (
    <figure className="chart" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
      <div className="chart__head">
        <h3 id={`${id}-title`} className="chart__title">
          {title}
        </h3>
        <button
          type="button"
          className="button button--small button--quiet"
          aria-expanded={showTable}
          aria-controls={`${id}-table`}
          onClick={() => setShowTable((shown) => !shown)}
        >
          {showTable ? 'Hide table' : 'Show table'}
        </button>
      </div>
      <p id={`${id}-summary`} className="chart__summary">
        {summary}
      </p>
      <div className="chart__plot" aria-hidden="true">
        {chart}
      </div>
      <div id={`${id}-table`} className="chart__table table-scroll" hidden={!showTable}>
        {table}
      </div>
    </figure>
  );
}
