/**
 * How an audit entry stood in a policy rollout, in the detail panel: a warning when the decision
 * was not enforced (the gateway ran in monitor mode and answered allow whatever the policy
 * decided), and what the candidate bundle running in shadow decided on the same request, its
 * version, latency and reasons, said plainly when it decided otherwise. Nothing for an entry
 * of an enforcing gateway without a shadow.
 */
import type { AuditEntry } from '../api/gateway-types.js';
import { shortenDigest } from '../format/format-digest.js';
import { formatLatency } from '../format/format-latency.js';
import { DecisionBadge } from './decision-badge.js';

export function EntryRolloutSection({ entry }: { entry: AuditEntry }) {
  const { shadow, enforced } = entry;
  if (shadow === null && enforced) return null;
  return (
    <section aria-labelledby="detail-rollout" className="detail-section">
      <h3 id="detail-rollout">Rollout</h3>
      {!enforced && (
        <p className="banner banner--warning" role="note">
          Not enforced: the gateway ran in monitor mode and answered <strong>allow</strong>; the
          decision above is what the policy decided.
        </p>
      )}
      {shadow !== null && (
        <>
          <p>
            Shadow bundle decided <DecisionBadge decision={shadow.decision} />{' '}
            {shadow.decision === entry.decision ? '(the same)' : <strong>(differs)</strong>}
          </p>
          <dl className="facts">
            <div className="facts__row">
              <dt>Shadow version</dt>
              <dd>
                <code className="wrap" title={shadow.policy_version}>
                  {shortenDigest(shadow.policy_version)}
                </code>
              </dd>
            </div>
            <div className="facts__row">
              <dt>Shadow latency</dt>
              <dd>{formatLatency(shadow.latency_ms)}</dd>
            </div>
            {shadow.error !== null && (
              <div className="facts__row">
                <dt>Shadow error</dt>
                <dd className="state--error">{shadow.error}</dd>
              </div>
            )}
            <div className="facts__row">
              <dt>Shadow reasons</dt>
              <dd>
                {shadow.reasons.length === 0 ? (
                  '—'
                ) : (
                  <ul className="privacy-list">
                    {shadow.reasons.map((reason) => (
                      <li key={`${reason.code}:${reason.message}`}>
                        <code>{reason.code}</code> {reason.message}
                      </li>
                    ))}
                  </ul>
                )}
              </dd>
            </div>
          </dl>
        </>
      )}
    </section>
  );
}
