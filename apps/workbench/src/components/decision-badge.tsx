/** The allow/deny/error badge: a colour and a word, so that it reads without colour vision. */
import type { AuditDecision } from '../api/gateway-types.js';

const LABELS: Readonly<Record<AuditDecision, { readonly icon: string; readonly text: string }>> = {
  allow: { icon: '✓', text: 'Allow' },
  deny: { icon: '✕', text: 'Deny' },
  error: { icon: '!', text: 'Error' },
};

export function DecisionBadge({ decision }: { decision: AuditDecision }) {
  const label = LABELS[decision];
  return (
    <span className={`badge badge--${decision}`}>
      <span aria-hidden="true" className="badge__icon">
        {label.icon}
      </span>
      {label.text}
    </span>
  );
}
