/**
 * Replays kept in memory, with the memory audit store: lost on restart like the trail itself.
 * Only the newest `maxReplays` are kept (with their changes), so that memory stays bounded
 * whatever runs.
 */
import type { Replay } from '@policy-gateway/gateway-contract';
import type { NumberedReplayChange, ReplayChangesPageQuery, ReplayStore } from './replay-store.js';

interface Kept {
  replay: Replay;
  readonly changes: NumberedReplayChange[];
}

export class MemoryReplayStore implements ReplayStore {
  readonly #kept = new Map<string, Kept>();
  readonly #maxReplays: number;

  constructor(maxReplays = 20) {
    this.#maxReplays = maxReplays;
  }

  async create(replay: Replay): Promise<void> {
    this.#kept.set(replay.id, { replay, changes: [] });
    for (const id of this.#kept.keys()) {
      if (this.#kept.size <= this.#maxReplays) break;
      this.#kept.delete(id);
    }
  }

  async update(replay: Replay): Promise<void> {
    const kept = this.#kept.get(replay.id);
    if (kept !== undefined) kept.replay = replay;
  }

  async addChanges(replayId: string, changes: readonly NumberedReplayChange[]): Promise<void> {
    this.#kept.get(replayId)?.changes.push(...changes);
  }

  async find(id: string): Promise<Replay | undefined> {
    return this.#kept.get(id.toLowerCase())?.replay;
  }

  async changes(replayId: string, query: ReplayChangesPageQuery): Promise<NumberedReplayChange[]> {
    const changes = this.#kept.get(replayId.toLowerCase())?.changes ?? [];
    const page: NumberedReplayChange[] = [];
    for (const numbered of changes) {
      if (page.length >= query.limit) break;
      if (query.afterSeq !== undefined && numbered.seq <= query.afterSeq) continue;
      if (query.transition !== undefined && numbered.change.transition !== query.transition) {
        continue;
      }
      page.push(numbered);
    }
    return page;
  }
}
