/**
 * `policy-gateway replay --bundle <file.tar.gz|dir> [--since T] [--until T] [--max-entries N]
 * [--fail-on allow->deny=N,deny->allow=M,reasons=K,error=E]`: impact analysis for CI pipelines.
 * Runs against the configured store directly (PostgreSQL or the embedded database; the memory
 * store lives inside a gateway process), as `audit verify` does: no gateway, no API key, and the
 * same replay the gateway runs (`replay/replay-runner.ts`), recorded in the replay tables as run
 * by `cli:<os user>`. Prints the summary; exits 4 when a transition exceeds its threshold.
 */
import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import type { Replay, ReplayTransition } from '@policy-gateway/gateway-contract';
import type { Logger } from 'pino';
import type { Settings } from './config/settings.js';
import { EXIT } from './migrate-commands.js';
import { PostgresReplayStore } from './replay/postgres-replay-store.js';
import { replayBundlesOf } from './replay/replay-bundles-of.js';
import { ReplayCandidateError } from './replay/replay-candidate.js';
import { ReplayRunner } from './replay/replay-runner.js';
import { openAuditStore } from './store/open-audit-store.js';

export const REPLAY_USAGE = `  replay --bundle FILE|DIR [--since T] [--until T] [--max-entries N] [--fail-on allow->deny=N,deny->allow=M,reasons=K,error=E]
                   Re-evaluate the recorded prompt decisions under a candidate bundle and print how many would
                   change; exit 4 when a transition is above its --fail-on threshold`;

/** The exit code of a replay whose changes exceed a threshold (CI fails the change). */
export const EXIT_THRESHOLD_EXCEEDED = 4;

/** `--fail-on` names, as people write transitions. */
const FAIL_ON_NAMES: Readonly<Record<string, ReplayTransition>> = Object.freeze({
  'allow->deny': 'allow_to_deny',
  'deny->allow': 'deny_to_allow',
  reasons: 'reasons_changed',
  error: 'error',
});

export interface ReplayCommand {
  readonly bundle: string;
  readonly since?: string;
  readonly until?: string;
  readonly maxEntries?: number;
  /** Changes of a transition allowed before the command fails. */
  readonly failOn: Readonly<Partial<Record<ReplayTransition, number>>>;
}

/** Parses what follows `replay`; a string is a usage error. */
export function parseReplayCommand(args: readonly string[]): ReplayCommand | string {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const at = arg.indexOf('=');
    const [flag, inline] =
      at === -1 || !arg.startsWith('--') ? [arg, undefined] : [arg.slice(0, at), arg.slice(at + 1)];
    if (!['--bundle', '--since', '--until', '--max-entries', '--fail-on'].includes(flag)) {
      return `replay does not take ${arg} (see --help)`;
    }
    const value = inline ?? args[++i];
    if (value === undefined || value === '') return `replay ${flag} needs a value`;
    if (values.has(flag)) return `replay takes ${flag} once`;
    values.set(flag, value);
  }
  const bundle = values.get('--bundle');
  if (bundle === undefined) return 'replay needs --bundle FILE.tar.gz or DIR (the candidate)';
  for (const flag of ['--since', '--until']) {
    const value = values.get(flag);
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
      return `replay ${flag} must be an RFC 3339 time, got ${value}`;
    }
  }
  let maxEntries: number | undefined;
  const max = values.get('--max-entries');
  if (max !== undefined) {
    maxEntries = Number(max);
    if (!/^[0-9]+$/.test(max) || maxEntries < 1) {
      return `replay --max-entries must be a positive integer, got ${max}`;
    }
  }
  const failOn: Partial<Record<ReplayTransition, number>> = {};
  for (const part of (values.get('--fail-on') ?? '').split(',').filter((p) => p !== '')) {
    const [name = '', limit = ''] = part.split('=');
    const transition = FAIL_ON_NAMES[name.trim()];
    if (transition === undefined || !/^[0-9]+$/.test(limit.trim())) {
      return `replay --fail-on takes allow->deny=N, deny->allow=N, reasons=N or error=N, comma-separated; got ${part}`;
    }
    failOn[transition] = Number(limit.trim());
  }
  return {
    bundle,
    ...(values.has('--since') && { since: values.get('--since') }),
    ...(values.has('--until') && { until: values.get('--until') }),
    ...(maxEntries === undefined ? {} : { maxEntries }),
    failOn,
  };
}

interface Io {
  readonly out: Writable;
  readonly err: Writable;
  readonly log: Logger;
}

export async function runReplayCommand(
  command: ReplayCommand,
  settings: Settings,
  { out, err, log }: Io,
): Promise<number> {
  if (settings.store.backend === 'memory') {
    err.write(
      'policy-gateway: the memory audit store lives inside the gateway process and cannot be read from here; replay through the gateway (POST /governance/replays)\n',
    );
    return EXIT.FAILURE;
  }
  const store = await openAuditStore(settings.store, log);
  const db = store.db;
  if (db === undefined) throw new Error('a database store has a database');
  const runner = new ReplayRunner({
    repository: store.repository,
    store: PostgresReplayStore.over(db),
    bundles: replayBundlesOf(settings),
    log,
  });
  try {
    let started: Replay;
    try {
      started = await runner.start({
        candidate: { path: command.bundle },
        filters: {
          ...(command.since === undefined ? {} : { since: command.since }),
          ...(command.until === undefined ? {} : { until: command.until }),
        },
        ...(command.maxEntries === undefined ? {} : { maxEntries: command.maxEntries }),
        requestedBy: `cli:${userInfo().username}`,
      });
    } catch (error) {
      if (error instanceof ReplayCandidateError) {
        err.write(`policy-gateway: ${error.message}\n`);
        return EXIT.FAILURE;
      }
      throw error;
    }
    const replay = (await runner.finished(started.id)) ?? started;
    for (const line of summaryLines(replay)) out.write(`${line}\n`);
    if (replay.status === 'failed') {
      err.write(`policy-gateway: ${replay.error ?? 'the replay failed'}\n`);
      return EXIT.FAILURE;
    }
    const exceeded = Object.entries(command.failOn).filter(
      ([transition, limit]) => replay.summary.by_transition[transition as ReplayTransition] > limit,
    );
    for (const [transition, limit] of exceeded) {
      err.write(
        `policy-gateway: ${replay.summary.by_transition[transition as ReplayTransition]} decisions ${transition} is above the threshold of ${limit}\n`,
      );
    }
    return exceeded.length > 0 ? EXIT_THRESHOLD_EXCEEDED : EXIT.OK;
  } finally {
    await runner.close();
    await store.close();
  }
}

/** What the command prints: the replay, its counts and each transition. */
export function summaryLines(replay: Replay): string[] {
  const { summary } = replay;
  return [
    `replay ${replay.id} ${replay.status}: candidate ${replay.candidate.version}`,
    `read ${replay.progress.read}, evaluated ${summary.evaluated}, skipped ${summary.skipped} (not prompt decisions), masked ${summary.masked}`,
    `changed ${summary.changed}, unchanged ${summary.unchanged}`,
    `allow->deny ${summary.by_transition.allow_to_deny}`,
    `deny->allow ${summary.by_transition.deny_to_allow}`,
    `reasons ${summary.by_transition.reasons_changed}`,
    `error ${summary.by_transition.error}`,
  ];
}
