/** A reason's severity as a small labelled tag, ordered low → critical by colour strength. */
import type { ReasonSeverity } from '../api/gateway-types.js';

export function SeverityTag({ severity }: { severity: ReasonSeverity }) {
  return <span className={`severity severity--${severity}`}>{severity}</span>;
}
