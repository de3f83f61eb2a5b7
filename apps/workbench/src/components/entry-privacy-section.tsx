/**
 * What privacy took out of an audit entry before it was stored, in the detail panel: the kinds
 * of spans redacted in the prompt (each a `[kind]` marker there now) and the JSON pointers the
 * mask policy erased or overwrote. For a privacy officer, "Show original" asks for a reason and
 * opens the sealed original (the gateway records the read and the reason). Once the subject is
 * erased the entry says so (`sealed_original_state`) and the section says "Erased" to everyone,
 * with nothing to click; an erasure between loading and reading still ends in the gateway's 410.
 */
import { type FormEvent, useId, useState } from 'react';
import { GatewayProblemError } from '../api/gateway-errors.js';
import type { AuditEntry, OpenedOriginal } from '../api/gateway-types.js';
import { useGateway } from '../config/gateway-context.js';
import { READ_ORIGINAL_ROLES } from '../session/role-requirements.js';
import { useMayUse } from '../session/session-context.js';
import { JsonView } from './json-view.js';

type OriginalState =
  | { readonly kind: 'closed' }
  | { readonly kind: 'asking' }
  | { readonly kind: 'reading' }
  | { readonly kind: 'shown'; readonly original: OpenedOriginal }
  | { readonly kind: 'erased'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string };

export function EntryPrivacySection({ entry }: { entry: AuditEntry }) {
  const mayRead = useMayUse(READ_ORIGINAL_ROLES);
  const { masking, sealed_original: sealed, sealed_original_state: sealedState } = entry;
  if (masking === null && sealed === null) return null;
  const redacted = masking?.redacted ?? [];
  const erased = masking?.erased ?? [];
  const masked = masking?.masked ?? [];
  return (
    <section aria-labelledby="detail-privacy" className="detail-section">
      <h3 id="detail-privacy">Privacy</h3>
      <p className="muted">
        Stored masked: the input below is what the trail keeps.{' '}
        {sealed === null
          ? 'No original was kept.'
          : sealedState === 'erased'
            ? 'The original was sealed under the subject’s key, which has since been destroyed.'
            : 'The original is sealed, encrypted under the subject’s key.'}
      </p>
      <dl className="facts">
        <Fact label="Redacted in the prompt">
          {redacted.length === 0 ? (
            '—'
          ) : (
            <ul className="privacy-list">
              {redacted.map(({ code, count }) => (
                <li key={code}>
                  <code>[{code}]</code> × {count}
                </li>
              ))}
            </ul>
          )}
        </Fact>
        <Fact label="Erased by the mask policy">
          <PointerList pointers={erased} />
        </Fact>
        <Fact label="Overwritten by the mask policy">
          <PointerList pointers={masked} />
        </Fact>
      </dl>
      {sealedState === 'erased' ? (
        <p className="state state--erased" role="status">
          <strong>Erased.</strong> The subject was erased: this original can no longer be read by
          anyone. The masked entry stays.
        </p>
      ) : (
        sealed !== null && mayRead && <OriginalReader id={entry.id} />
      )}
    </section>
  );
}

function OriginalReader({ id }: { id: string }) {
  const { client } = useGateway();
  const reasonId = useId();
  const [state, setState] = useState<OriginalState>({ kind: 'closed' });
  const [reason, setReason] = useState('');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setState({ kind: 'reading' });
    try {
      setState({ kind: 'shown', original: await client.readOriginal(id, reason.trim()) });
    } catch (error) {
      if (error instanceof GatewayProblemError && error.code === 'SUBJECT_ERASED') {
        setState({ kind: 'erased', detail: error.detail });
      } else {
        setState({
          kind: 'failed',
          detail: error instanceof Error ? error.message : String(error),
        });
      }
    }
  };

  if (state.kind === 'closed') {
    return (
      <button type="button" className="button" onClick={() => setState({ kind: 'asking' })}>
        Show original
      </button>
    );
  }
  if (state.kind === 'shown') {
    return <JsonView value={state.original.input} label="Original input (not masked)" />;
  }
  if (state.kind === 'erased') {
    return (
      <p className="state state--erased" role="status">
        <strong>Erased.</strong> {state.detail}
      </p>
    );
  }
  return (
    <form className="original-form" onSubmit={submit}>
      <label htmlFor={reasonId}>Reason for reading the original (recorded)</label>
      <input
        id={reasonId}
        type="text"
        required
        maxLength={1000}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        placeholder="e.g. subject access request #1234"
      />
      <button
        type="submit"
        className="button"
        disabled={state.kind === 'reading' || reason.trim() === ''}
      >
        {state.kind === 'reading' ? 'Opening…' : 'Open original'}
      </button>
      {state.kind === 'failed' && (
        <p className="state state--error" role="alert">
          {state.detail}
        </p>
      )}
    </form>
  );
}

function PointerList({ pointers }: { pointers: readonly string[] }) {
  if (pointers.length === 0) return '—';
  return (
    <ul className="privacy-list">
      {pointers.map((pointer) => (
        <li key={pointer}>
          <code>{pointer}</code>
        </li>
      ))}
    </ul>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="facts__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
