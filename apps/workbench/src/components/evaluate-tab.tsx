/**
 * The Evaluate panel: sends a prompt for a user to `POST /policy/evaluate` and shows the
 * decision, or the gateway's problem detail. A success refreshes the Audit Log, where the new
 * entry is linked from here.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { GatewayProblemError } from '../api/gateway-errors.js';
import type { EvaluateResult } from '../api/gateway-types.js';
import { auditKey } from '../audit/audit-query-keys.js';
import { useGateway } from '../config/gateway-context.js';
import { shortenDigest } from '../format/format-digest.js';
import { formatLatency } from '../format/format-latency.js';
import { AUDIT_LOG_ROLES } from '../session/role-requirements.js';
import { useMayUse, useSession } from '../session/session-context.js';
import { DecisionBadge } from './decision-badge.js';
import { SeverityTag } from './severity-tag.js';

export function EvaluateTab() {
  const id = useId();
  const { client } = useGateway();
  const queryClient = useQueryClient();
  const [prompt, setPrompt] = useState('');
  // A token that names a subject records decisions about that subject only (the gateway
  // refuses another user_id with 403), so the field is that subject and cannot be changed.
  const { subject } = useSession().principal;
  const [userId, setUserId] = useState(subject ?? '');
  const [contextText, setContextText] = useState('');
  const [contextError, setContextError] = useState<string | null>(null);
  const contextRef = useRef<HTMLTextAreaElement>(null);
  const evaluate = useMutation({
    mutationFn: (context: Readonly<Record<string, unknown>> | undefined) =>
      client.evaluate({ prompt, user_id: userId.trim(), ...(context ? { context } : {}) }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: auditKey(client.baseUrl) }),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const context = parseContext(contextText);
    setContextError(typeof context === 'string' ? context : null);
    // Focus goes where the fix is; the message itself is announced by its alert role.
    if (typeof context === 'string') contextRef.current?.focus();
    else evaluate.mutate(context);
  };

  return (
    <div className="evaluate">
      <form className="evaluate__form" onSubmit={submit} aria-describedby={`${id}-hint`}>
        <p id={`${id}-hint`} className="muted">
          Try the gateway's policy on a prompt. Each evaluation is recorded in the Audit Log.
        </p>
        <div className="field">
          <label htmlFor={`${id}-user`}>User id</label>
          <input
            id={`${id}-user`}
            value={userId}
            required
            readOnly={subject !== null}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={subject !== null ? `${id}-user-hint` : undefined}
            onChange={(event) => setUserId(event.target.value)}
          />
          {subject !== null && (
            <p id={`${id}-user-hint`} className="muted field__hint">
              You, as your sign-in names you: decisions are recorded about the signed-in person.
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-prompt`}>Prompt</label>
          <textarea
            id={`${id}-prompt`}
            value={prompt}
            required
            rows={7}
            onChange={(event) => setPrompt(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-context`}>Context (JSON object, optional)</label>
          <textarea
            ref={contextRef}
            id={`${id}-context`}
            value={contextText}
            rows={3}
            placeholder='{ "application": "support-bot" }'
            spellCheck={false}
            aria-invalid={contextError !== null}
            aria-describedby={contextError ? `${id}-context-error` : undefined}
            onChange={(event) => setContextText(event.target.value)}
          />
          {contextError && (
            <p id={`${id}-context-error`} className="field__error" role="alert">
              {contextError}
            </p>
          )}
        </div>
        <div>
          <button type="submit" className="button button--primary" disabled={evaluate.isPending}>
            {evaluate.isPending ? 'Evaluating…' : 'Evaluate'}
          </button>
        </div>
      </form>
      <div className="evaluate__result" aria-live="polite">
        {evaluate.isError && <EvaluateError error={evaluate.error} />}
        {evaluate.isSuccess && <EvaluateAnswer result={evaluate.data} />}
      </div>
    </div>
  );
}

/** The optional context as an object, undefined when empty, or the message saying what is wrong. */
function parseContext(text: string): Readonly<Record<string, unknown>> | undefined | string {
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `Context is not valid JSON: ${(error as Error).message}`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'Context must be a JSON object, e.g. { "application": "support-bot" }.';
  }
  return value as Record<string, unknown>;
}

function EvaluateError({ error }: { error: Error }) {
  return (
    <div className="state state--error" role="alert">
      <p className="state__title">
        {error instanceof GatewayProblemError
          ? `${error.title} (${error.status})`
          : 'The prompt could not be evaluated'}
      </p>
      <p>{error instanceof GatewayProblemError ? error.detail : error.message}</p>
    </div>
  );
}

function EvaluateAnswer({ result }: { result: EvaluateResult }) {
  const mayReadAudit = useMayUse(AUDIT_LOG_ROLES);
  return (
    <section className={`answer answer--${result.decision}`} aria-label="Policy decision">
      <p className="answer__verdict">
        <DecisionBadge decision={result.decision} />
        <span>
          {result.allow ? 'The prompt is allowed.' : 'The prompt is denied.'}
          {result.latency_ms !== null && (
            <span className="muted"> Evaluated in {formatLatency(result.latency_ms)}.</span>
          )}
        </span>
      </p>
      {result.reasons.length > 0 && (
        <ul className="answer__reasons">
          {result.reasons.map((reason, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: reasons have no id; order is stable
            <li key={index}>
              <SeverityTag severity={reason.severity} /> <code>{reason.code}</code> —{' '}
              {reason.message}
            </li>
          ))}
        </ul>
      )}
      <dl className="facts facts--compact">
        <div className="facts__row">
          <dt>Decision id</dt>
          <dd>
            <code className="wrap">{result.decision_id}</code>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Policy</dt>
          <dd>
            <code className="wrap">{result.policy.path}</code>{' '}
            <code title={result.policy.version}>{shortenDigest(result.policy.version)}</code>
          </dd>
        </div>
      </dl>
      {result.audit_id && mayReadAudit && (
        <p>
          <Link to={`/governance/audit/${encodeURIComponent(result.audit_id)}`}>
            Open the audit entry
          </Link>
        </p>
      )}
    </section>
  );
}
