/**
 * Where replays and the decisions they would change are kept: beside the audit trail, never in
 * it. Two adapters: `memory-replay-store.ts` (the memory audit store; a bounded number of
 * replays) and `postgres-replay-store.ts` (the tables of migration 021, in the trail's
 * database). The runner writes through this port only.
 */
import type { Replay, ReplayChange, ReplayTransition } from '@policy-gateway/gateway-contract';

/** A changed decision with its position in its replay (the cursor of the changes' pages). */
export interface NumberedReplayChange {
  readonly seq: number;
  readonly change: ReplayChange;
}

export interface ReplayChangesPageQuery {
  /** Changes after this position; from the first when omitted. */
  readonly afterSeq?: number;
  readonly limit: number;
  readonly transition?: ReplayTransition;
}

export interface ReplayStore {
  /** Records a replay as it starts. */
  create(replay: Replay): Promise<void>;
  /** Records its progress, summary and status. */
  update(replay: Replay): Promise<void>;
  /** Adds changed decisions, numbered by the runner in the order it read them. */
  addChanges(replayId: string, changes: readonly NumberedReplayChange[]): Promise<void>;
  find(id: string): Promise<Replay | undefined>;
  /** In `seq` order. */
  changes(replayId: string, query: ReplayChangesPageQuery): Promise<NumberedReplayChange[]>;
}
