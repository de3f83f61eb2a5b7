/**
 * Runs replays (impact analysis): each re-evaluates the recorded prompt decisions of a range
 * under a candidate bundle, in the background, and records in the replay store how many would
 * change and which. The trail is read page by page through the repository's own keyset reads
 * (newest first, each page bounded), so memory stays flat whatever the range; nothing is ever
 * written to the trail. Bounded: entries per replay, bundle bytes, and replays at once.
 */
import { randomUUID } from 'node:crypto';
import {
  REPLAY_MAX_ENTRIES,
  type Replay,
  type ReplayFilters,
  type ReplaySummary,
} from '@policy-gateway/gateway-contract';
import type { AuditLogEntryRepository, AuditLogQuery } from '@policy-gateway/governance-runtime';
import type { PolicyEngine } from '../policy/policy-engine.js';
import {
  type CandidateSource,
  type ReplayBundles,
  startReplayCandidate,
} from './replay-candidate.js';
import { candidateResult, compareDecision, isMasked, replayInput } from './replay-comparison.js';
import type { NumberedReplayChange, ReplayStore } from './replay-store.js';

export interface ReplayLimits {
  /** Entries one replay re-evaluates at most (and by default). */
  readonly maxEntries: number;
  /** Bytes of an uploaded `.tar.gz`. */
  readonly maxBundleBytes: number;
  /** Replays running at once in this process. */
  readonly maxConcurrent: number;
  /** Entries read per page of the trail. */
  readonly pageSize: number;
}

export const REPLAY_LIMITS: ReplayLimits = Object.freeze({
  maxEntries: REPLAY_MAX_ENTRIES,
  maxBundleBytes: 8 * 1024 * 1024,
  maxConcurrent: 2,
  pageSize: 250,
});

/** As many replays as this process runs at once are running. */
export class TooManyReplaysError extends Error {
  override readonly name = 'TooManyReplaysError';
}

export interface StartReplay {
  readonly candidate: CandidateSource;
  readonly filters: ReplayFilters;
  readonly maxEntries?: number;
  /** The principal starting it (recorded). */
  readonly requestedBy: string;
}

export interface ReplayRunnerOptions {
  readonly repository: AuditLogEntryRepository;
  readonly store: ReplayStore;
  readonly bundles: ReplayBundles;
  readonly limits?: ReplayLimits;
  readonly log?: { error(object: object, message: string): void };
}

const EMPTY_SUMMARY: ReplaySummary = Object.freeze({
  evaluated: 0,
  changed: 0,
  unchanged: 0,
  skipped: 0,
  masked: 0,
  by_transition: Object.freeze({
    allow_to_deny: 0,
    deny_to_allow: 0,
    reasons_changed: 0,
    error: 0,
  }),
});

export class ReplayRunner {
  readonly limits: ReplayLimits;
  readonly #options: ReplayRunnerOptions;
  readonly #running = new Map<string, Promise<Replay | undefined>>();
  #closing = false;

  constructor(options: ReplayRunnerOptions) {
    this.#options = options;
    this.limits = options.limits ?? REPLAY_LIMITS;
  }

  get store(): ReplayStore {
    return this.#options.store;
  }

  /**
   * Compiles the candidate and records the replay as running, then runs it in the background.
   * Rejects with `TooManyReplaysError` when as many run already, and `ReplayCandidateError`
   * when the candidate cannot be used (nothing is recorded then).
   */
  async start(request: StartReplay): Promise<Replay> {
    if (this.#running.size >= this.limits.maxConcurrent || this.#closing) {
      throw new TooManyReplaysError(
        `${this.limits.maxConcurrent} replays are already running on this gateway; retry when one has finished`,
      );
    }
    const id = randomUUID();
    // Held while the candidate compiles, so that concurrent starts count against the limit.
    let settle: (replay: Replay | undefined) => void = () => {};
    this.#running.set(id, new Promise<Replay | undefined>((resolve) => (settle = resolve)));
    try {
      const candidate = await startReplayCandidate(
        request.candidate,
        this.#options.bundles,
        this.limits.maxBundleBytes,
      );
      const replay: Replay = {
        id,
        status: 'running',
        requested_by: request.requestedBy,
        requested_at: new Date().toISOString(),
        finished_at: null,
        candidate: { source: candidate.source, version: candidate.engine.policyVersion },
        filters: request.filters,
        max_entries: Math.min(request.maxEntries ?? this.limits.maxEntries, this.limits.maxEntries),
        progress: { read: 0, position: null },
        summary: EMPTY_SUMMARY,
        error: null,
      };
      try {
        await this.#options.store.create(replay);
      } catch (error) {
        await candidate.engine.close();
        throw error;
      }
      void this.#run(replay, candidate.engine)
        .finally(() => candidate.engine.close())
        .then(settle, () => settle(undefined))
        .finally(() => this.#running.delete(id));
      return replay;
    } catch (error) {
      this.#running.delete(id);
      settle(undefined);
      throw error;
    }
  }

  /** Resolves with the replay once it has finished (for the CLI and tests). */
  async finished(id: string): Promise<Replay | undefined> {
    const running = this.#running.get(id);
    if (running !== undefined) await running;
    return this.#options.store.find(id);
  }

  /** Stops starting replays and waits for the running ones to stop (each at its next page). */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#running.values()]);
  }

  async #run(started: Replay, engine: PolicyEngine): Promise<Replay> {
    const { repository, store } = this.#options;
    let replay = started;
    const summary = mutableSummary();
    let read = 0;
    let seq = 0;
    let position: string | null = null;
    let cursor: string | undefined;
    let status: Replay['status'] = 'completed';
    let failure: string | null = null;
    try {
      do {
        const remaining = replay.max_entries - read;
        const page = await repository.query({
          ...queryOf(replay.filters),
          limit: Math.min(this.limits.pageSize, remaining),
          ...(cursor === undefined ? {} : { cursor }),
        });
        const changes: NumberedReplayChange[] = [];
        const compared = await Promise.all(
          page.entries.map(async (entry) => {
            const input = replayInput(entry);
            if (input === undefined) return { entry, skipped: true as const };
            const evaluation = await engine.evaluate(input);
            return {
              entry,
              skipped: false as const,
              change: compareDecision(entry, candidateResult(evaluation, engine.policyVersion)),
              masked: isMasked(entry),
            };
          }),
        );
        for (const outcome of compared) {
          read++;
          position = outcome.entry.occurredAt;
          if (outcome.skipped) {
            summary.skipped++;
            continue;
          }
          summary.evaluated++;
          if (outcome.masked) summary.masked++;
          if (outcome.change === undefined) {
            summary.unchanged++;
            continue;
          }
          summary.changed++;
          summary.by_transition[outcome.change.transition]++;
          changes.push({ seq: ++seq, change: outcome.change });
        }
        await store.addChanges(replay.id, changes);
        cursor = page.nextCursor ?? undefined;
        if (cursor !== undefined && read >= replay.max_entries) status = 'truncated';
        replay = {
          ...replay,
          progress: { read, position },
          summary: frozenSummary(summary),
        };
        if (cursor !== undefined && status !== 'truncated' && !this.#closing) {
          await store.update(replay);
        }
      } while (cursor !== undefined && status !== 'truncated' && !this.#closing);
      if (this.#closing && cursor !== undefined && status !== 'truncated') {
        status = 'failed';
        failure = 'the gateway shut down before the replay finished';
      }
    } catch (error) {
      status = 'failed';
      failure = `the replay stopped: ${error instanceof Error ? error.message : String(error)}`;
      this.#options.log?.error({ err: error, replay: replay.id }, 'a replay failed');
    }
    replay = {
      ...replay,
      status,
      error: failure,
      finished_at: new Date().toISOString(),
      progress: { read, position },
      summary: frozenSummary(summary),
    };
    await store.update(replay);
    return replay;
  }
}

function queryOf(filters: ReplayFilters): Omit<AuditLogQuery, 'limit'> {
  return {
    ...(filters.since === undefined ? {} : { since: filters.since }),
    ...(filters.until === undefined ? {} : { until: filters.until }),
    ...(filters.user_id === undefined ? {} : { userId: filters.user_id }),
    ...(filters.decision === undefined ? {} : { decision: filters.decision }),
    ...(filters.gateway_instance === undefined
      ? {}
      : { gatewayInstance: filters.gateway_instance }),
  };
}

interface MutableSummary {
  evaluated: number;
  changed: number;
  unchanged: number;
  skipped: number;
  masked: number;
  by_transition: {
    allow_to_deny: number;
    deny_to_allow: number;
    reasons_changed: number;
    error: number;
  };
}

function mutableSummary(): MutableSummary {
  return { ...EMPTY_SUMMARY, by_transition: { ...EMPTY_SUMMARY.by_transition } };
}

function frozenSummary(summary: MutableSummary): ReplaySummary {
  return { ...summary, by_transition: { ...summary.by_transition } };
}
