/**
 * The Replay tab (impact analysis): choose a candidate bundle (upload a `.tar.gz`, or the
 * active or shadow bundle the gateway runs) and a range of recorded decisions; the gateway
 * re-evaluates them in the background. The tab follows its progress, then shows how many
 * decisions would change by transition, the changed entries, and a side-by-side diff of the
 * recorded and the candidate result of the one chosen.
 */
import { type FormEvent, useId, useState } from 'react';
import type {
  Replay,
  ReplayChange,
  ReplayKnownBundle,
  ReplayResult,
  ReplayTransition,
} from '../api/gateway-types.js';
import { formatLocalTime } from '../format/format-time.js';
import { readBundleFile } from '../replay/read-bundle-file.js';
import { useReplay, useReplayChanges, useStartReplay } from '../replay/use-replay.js';
import { DecisionBadge } from './decision-badge.js';
import '../styles/replay.css';

type CandidateChoice = 'upload' | ReplayKnownBundle;

export const TRANSITION_LABELS: Readonly<Record<ReplayTransition, string>> = Object.freeze({
  allow_to_deny: 'Allow → deny',
  deny_to_allow: 'Deny → allow',
  reasons_changed: 'Reasons changed',
  error: 'Error',
});

/** A `datetime-local` value as the instant the gateway takes; undefined when empty. */
function instantOf(local: string): string | undefined {
  return local === '' ? undefined : new Date(local).toISOString();
}

export function ReplayTab() {
  const start = useStartReplay();
  const [replayId, setReplayId] = useState<string | undefined>(undefined);
  const [formError, setFormError] = useState<string | null>(null);
  const [choice, setChoice] = useState<CandidateChoice>('upload');
  const [file, setFile] = useState<File | null>(null);
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const ids = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    if (choice === 'upload' && file === null) {
      setFormError('Choose a .tar.gz bundle to upload.');
      return;
    }
    const filters = {
      ...(instantOf(since) === undefined ? {} : { since: instantOf(since) }),
      ...(instantOf(until) === undefined ? {} : { until: instantOf(until) }),
    };
    const candidate =
      choice === 'upload' && file !== null
        ? { bundle: await readBundleFile(file) }
        : { known_bundle: choice as ReplayKnownBundle };
    start.mutate({ ...candidate, filters }, { onSuccess: (replay) => setReplayId(replay.id) });
  }

  return (
    <section aria-labelledby={`${ids}-heading`} className="replay">
      <h2 id={`${ids}-heading`}>Replay a candidate policy</h2>
      <p>
        Which recorded decisions would a policy change have changed? The gateway re-evaluates the
        stored inputs under the candidate; nothing is written to the audit trail.
      </p>
      <form onSubmit={submit} className="replay__form">
        <fieldset>
          <legend>Candidate bundle</legend>
          {(
            [
              ['upload', 'Upload a .tar.gz'],
              ['active', 'The active bundle'],
              ['shadow', 'The shadow bundle'],
            ] as const
          ).map(([value, label]) => (
            <label key={value}>
              <input
                type="radio"
                name="candidate"
                value={value}
                checked={choice === value}
                onChange={() => setChoice(value)}
              />
              {label}
            </label>
          ))}
          {choice === 'upload' && (
            <label>
              Bundle file
              <input
                type="file"
                accept=".tar.gz,.tgz,application/gzip"
                onChange={(event) => setFile(event.currentTarget.files?.[0] ?? null)}
              />
            </label>
          )}
        </fieldset>
        <fieldset>
          <legend>Recorded decisions</legend>
          <label>
            From
            <input
              type="datetime-local"
              value={since}
              onChange={(event) => setSince(event.currentTarget.value)}
            />
          </label>
          <label>
            Until
            <input
              type="datetime-local"
              value={until}
              onChange={(event) => setUntil(event.currentTarget.value)}
            />
          </label>
        </fieldset>
        <button type="submit" disabled={start.isPending}>
          {start.isPending ? 'Starting…' : 'Run replay'}
        </button>
        {formError !== null && <p role="alert">{formError}</p>}
        {start.isError && <p role="alert">Could not start: {start.error.message}</p>}
      </form>
      {replayId !== undefined && <ReplayResults id={replayId} />}
    </section>
  );
}

function ReplayResults({ id }: { readonly id: string }) {
  const replay = useReplay(id);
  const data = replay.data;
  const finished = data !== undefined && data.status !== 'running';
  const changes = useReplayChanges(id, finished);
  const [chosen, setChosen] = useState<ReplayChange | null>(null);
  if (replay.isError) return <p role="alert">Could not read the replay: {replay.error.message}</p>;
  if (data === undefined) return <p>Starting…</p>;
  return (
    <>
      <ReplayProgress replay={data} />
      {finished && <ReplaySummaryTable replay={data} />}
      {changes.isError && <p role="alert">Could not read the changes: {changes.error.message}</p>}
      {changes.data && (
        <ChangesTable changes={changes.data.changes} chosen={chosen} onChoose={setChosen} />
      )}
      {chosen !== null && <ResultDiff change={chosen} />}
    </>
  );
}

function ReplayProgress({ replay }: { readonly replay: Replay }) {
  const { progress, status } = replay;
  return (
    <p role="status" className="replay__progress">
      {status === 'running'
        ? `Replaying: ${progress.read.toLocaleString()} decisions read${progress.position ? `, back to ${formatLocalTime(progress.position)}` : ''}…`
        : status === 'failed'
          ? `The replay failed: ${replay.error ?? 'unknown error'}`
          : `Replayed ${progress.read.toLocaleString()} decisions under candidate ${replay.candidate.version}${status === 'truncated' ? ` (stopped at ${replay.max_entries.toLocaleString()})` : ''}.`}
    </p>
  );
}

function ReplaySummaryTable({ replay }: { readonly replay: Replay }) {
  const { summary } = replay;
  return (
    <table className="replay__summary">
      <caption>
        {summary.changed.toLocaleString()} of {summary.evaluated.toLocaleString()} decisions would
        change
        {summary.masked > 0 &&
          ` (${summary.masked.toLocaleString()} replayed on masked or erased input)`}
      </caption>
      <thead>
        <tr>
          <th scope="col">Transition</th>
          <th scope="col">Decisions</th>
        </tr>
      </thead>
      <tbody>
        {(Object.keys(TRANSITION_LABELS) as ReplayTransition[]).map((transition) => (
          <tr key={transition}>
            <th scope="row">{TRANSITION_LABELS[transition]}</th>
            <td>{summary.by_transition[transition].toLocaleString()}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ChangesTable(props: {
  readonly changes: readonly ReplayChange[];
  readonly chosen: ReplayChange | null;
  readonly onChoose: (change: ReplayChange) => void;
}) {
  if (props.changes.length === 0) return <p>No recorded decision would change.</p>;
  return (
    <table className="replay__changes">
      <caption>Changed decisions</caption>
      <thead>
        <tr>
          <th scope="col">Time</th>
          <th scope="col">User</th>
          <th scope="col">Transition</th>
          <th scope="col">Input</th>
          <th scope="col">Diff</th>
        </tr>
      </thead>
      <tbody>
        {props.changes.map((change) => (
          <tr key={change.audit_id}>
            <td>{formatLocalTime(change.occurred_at)}</td>
            <td>{change.user_id}</td>
            <td>{TRANSITION_LABELS[change.transition]}</td>
            <td>{change.masked ? 'Masked' : 'As recorded'}</td>
            <td>
              <button
                type="button"
                aria-pressed={props.chosen?.audit_id === change.audit_id}
                onClick={() => props.onChoose(change)}
              >
                Compare <span className="sr-only">{change.audit_id}</span>
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ResultDiff({ change }: { readonly change: ReplayChange }) {
  const recordedCodes = new Set(change.original.reasons.map((reason) => reason.code));
  const candidateCodes = new Set(change.candidate.reasons.map((reason) => reason.code));
  return (
    <section aria-label="Side-by-side diff" className="replay__diff">
      <h3>
        Entry {change.audit_id}
        {change.masked && ' — replayed on its masked input'}
      </h3>
      <div className="replay__diff-columns">
        <ResultColumn title="Recorded" result={change.original} other={candidateCodes} />
        <ResultColumn title="Candidate" result={change.candidate} other={recordedCodes} />
      </div>
    </section>
  );
}

function ResultColumn(props: {
  readonly title: string;
  readonly result: ReplayResult;
  /** The other side's reason codes: a reason not among them is what differs. */
  readonly other: ReadonlySet<string>;
}) {
  const { result } = props;
  return (
    <section aria-label={props.title} className="replay__diff-column">
      <h4>{props.title}</h4>
      <p>
        <DecisionBadge decision={result.decision} />
      </p>
      <p>Policy version {result.policy_version}</p>
      {result.error !== null && <p>Error: {result.error}</p>}
      {result.reasons.length === 0 ? (
        <p>No reasons</p>
      ) : (
        <ul>
          {result.reasons.map((reason) => (
            <li
              key={reason.code}
              className={props.other.has(reason.code) ? undefined : 'replay__reason--differs'}
            >
              <code>{reason.code}</code> ({reason.severity}): {reason.message}
              {!props.other.has(reason.code) && <strong> only here</strong>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
