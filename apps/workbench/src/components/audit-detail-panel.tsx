/**
 * The whole of one audit entry in a dialog beside the log: ids (copyable), the decision and its
 * reasons, the policy input and raw result as JSON, and the request metadata. Escape or Close
 * dismisses it; focus moves into it on open and is kept inside while it is open: it is portalled
 * to the body and the rest of the page is inert meanwhile.
 */
import {
  type KeyboardEvent,
  type ReactNode,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
} from 'react';
import { createPortal } from 'react-dom';
import { Link } from 'react-router';
import type { AuditEntry } from '../api/gateway-types.js';
import { shortenDigest } from '../format/format-digest.js';
import { formatLatency } from '../format/format-latency.js';
import { describeInstant, formatLocalTime } from '../format/format-time.js';
import { CopyButton } from './copy-button.js';
import { DecisionBadge } from './decision-badge.js';
import { EntryIntegrityMark } from './entry-integrity-mark.js';
import { EntryPrivacySection } from './entry-privacy-section.js';
import { EntryRolloutSection } from './entry-rollout-section.js';
import { inertOutside } from './inert-outside.js';
import { JsonView } from './json-view.js';
import { SeverityTag } from './severity-tag.js';

interface AuditDetailPanelProps {
  readonly id: string;
  readonly entry: AuditEntry | undefined;
  /** Shown instead of the entry when it could not be loaded. */
  readonly problem: string | null;
  readonly onClose: () => void;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

export function AuditDetailPanel({ id, entry, problem, onClose: close }: AuditDetailPanelProps) {
  const titleId = useId();
  const layerRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const releaseRef = useRef<() => void>(() => {});

  // The page behind is inert while the panel is open (before paint, so nothing there is reachable).
  useLayoutEffect(() => {
    if (!layerRef.current) return;
    const release = inertOutside(layerRef.current);
    releaseRef.current = release;
    return release;
  }, []);

  // Closing releases the page first: the caller returns focus to a row there, which an inert
  // row would refuse.
  const onClose = useCallback(() => {
    releaseRef.current();
    close();
  }, [close]);

  // Focus the Close button when the panel opens or shows another entry.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run when the entry changes
  useEffect(() => {
    closeRef.current?.focus();
  }, [id]);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) {
        event.preventDefault();
        onClose();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const trapFocus = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key !== 'Tab' || !panelRef.current) return;
    const focusable = [...panelRef.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    const first = focusable[0];
    const last = focusable.at(-1);
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  const permalink = `/governance/audit/${encodeURIComponent(id)}`;

  return createPortal(
    <div ref={layerRef} className="drawer-layer">
      <button
        type="button"
        className="drawer-backdrop"
        aria-label="Close details"
        tabIndex={-1}
        onClick={onClose}
      />
      <section
        ref={panelRef}
        className="drawer"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onKeyDown={trapFocus}
      >
        <header className="drawer__header">
          <div>
            <h2 id={titleId} className="drawer__title">
              Decision details
            </h2>
            {entry && (
              <p className="drawer__subtitle">
                <DecisionBadge decision={entry.decision} /> for <strong>{entry.user_id}</strong> at{' '}
                <time dateTime={entry.occurred_at} title={describeInstant(entry.occurred_at)}>
                  {formatLocalTime(entry.occurred_at)}
                </time>
              </p>
            )}
          </div>
          <button ref={closeRef} type="button" className="button" onClick={onClose}>
            Close <span className="kbd">Esc</span>
          </button>
        </header>
        <div className="drawer__body">
          {problem && (
            <p className="state state--error" role="alert">
              {problem}
            </p>
          )}
          {!entry && !problem && (
            <p className="state" role="status">
              Loading entry {id}…
            </p>
          )}
          {entry && <EntryIntegrityMark id={entry.id} />}
          {entry && <EntryDetails entry={entry} permalink={permalink} />}
        </div>
      </section>
    </div>,
    document.body,
  );
}

function EntryDetails({ entry, permalink }: { entry: AuditEntry; permalink: string }) {
  return (
    <>
      <dl className="facts">
        <Fact label="Decision id">
          <code className="wrap">{entry.decision_id || '—'}</code>
          {entry.decision_id && <CopyButton value={entry.decision_id} label="Copy decision id" />}
        </Fact>
        <Fact label="Audit entry id">
          <code className="wrap">{entry.id}</code>
        </Fact>
        <Fact label="Recorded at (UTC)">
          <code>{entry.occurred_at}</code>
        </Fact>
        <Fact label="Action">{entry.action || '—'}</Fact>
        <Fact label="Policy">
          <code className="wrap">{entry.policy_path || '—'}</code>
        </Fact>
        <Fact label="Policy version">
          <code className="wrap" title={entry.policy_version}>
            {entry.policy_version ? shortenDigest(entry.policy_version) : '—'}
          </code>
          {entry.policy_version && (
            <CopyButton value={entry.policy_version} label="Copy policy version" />
          )}
        </Fact>
        <Fact label="Engine">{entry.policy_engine || '—'}</Fact>
        <Fact label="Link">
          <Link to={permalink} className="wrap">
            {permalink}
          </Link>
          <CopyButton value={`${window.location.origin}${permalink}`} label="Copy link" />
        </Fact>
      </dl>

      {entry.error && (
        <section aria-labelledby="detail-error" className="detail-section">
          <h3 id="detail-error">Evaluation error</h3>
          <p className="state state--error">{entry.error}</p>
        </section>
      )}

      <section aria-labelledby="detail-reasons" className="detail-section">
        <h3 id="detail-reasons">Reasons ({entry.reasons.length})</h3>
        {entry.reasons.length === 0 ? (
          <p className="muted">
            {entry.decision === 'allow' ? 'No policy violations.' : 'No reasons were recorded.'}
          </p>
        ) : (
          <table className="reasons-table">
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col">Code</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {entry.reasons.map((reason, index) => (
                // Reasons have no id and may repeat a code; their order is stable.
                // biome-ignore lint/suspicious/noArrayIndexKey: see above
                <tr key={index}>
                  <td>
                    <SeverityTag severity={reason.severity} />
                  </td>
                  <td>
                    <code>{reason.code}</code>
                  </td>
                  <td>{reason.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="detail-request" className="detail-section">
        <h3 id="detail-request">Request</h3>
        <dl className="facts">
          <Fact label="Asked by">
            <code className="wrap">{entry.principal_id ?? '—'}</code>
          </Fact>
          <Fact label="Request id">
            <code className="wrap">{entry.request_id ?? '—'}</code>
          </Fact>
          <Fact label="Client request id">
            <code className="wrap">{entry.client_request_id ?? '—'}</code>
          </Fact>
          <Fact label="Client address">
            <code>{entry.client_address ?? '—'}</code>
          </Fact>
          <Fact label="User agent">
            <span className="wrap">{entry.user_agent ?? '—'}</span>
          </Fact>
          <Fact label="Gateway instance">
            <code className="wrap">{entry.gateway_instance ?? '—'}</code>
          </Fact>
          <Fact label="Latency">{formatLatency(entry.latency_ms)}</Fact>
        </dl>
      </section>

      <section aria-labelledby="detail-json" className="detail-section">
        <h3 id="detail-json">Policy input and result</h3>
        <JsonView
          value={entry.input}
          label={entry.masking === null ? 'Policy input' : 'Policy input (masked)'}
        />
        <JsonView value={entry.result} label="Raw policy result" />
      </section>

      <EntryRolloutSection entry={entry} />

      <EntryPrivacySection entry={entry} />
    </>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="facts__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
