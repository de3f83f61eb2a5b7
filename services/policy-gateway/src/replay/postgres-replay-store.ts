/**
 * Replays kept in the trail's database (PostgreSQL or the embedded PGlite), in the tables of
 * migration 021 (`replay_runs`, `replay_changes`): a separate pair of tables, so a replay never
 * writes into `audit_log_entries`, whose append-only rules stay untouched. The replay is one
 * JSON document per row, as the API serves it; who started it and when are columns of their own.
 */
import type { Replay, ReplayChange } from '@policy-gateway/gateway-contract';
import type { Kysely } from 'kysely';
import type { NumberedReplayChange, ReplayChangesPageQuery, ReplayStore } from './replay-store.js';

export type ReplayTables = {
  replay_runs: {
    id: string;
    requested_by: string;
    requested_at: string;
    document: Replay;
  };
  replay_changes: {
    replay_id: string;
    seq: number;
    audit_id: string;
    transition: string;
    change: ReplayChange;
  };
};

export class PostgresReplayStore implements ReplayStore {
  readonly #db: Kysely<ReplayTables>;

  constructor(db: Kysely<ReplayTables>) {
    this.#db = db;
  }

  /** Over the trail's database; only the replay tables are touched. */
  static over<DB>(db: Kysely<DB>): PostgresReplayStore {
    return new PostgresReplayStore(
      db.withTables<ReplayTables>() as unknown as Kysely<ReplayTables>,
    );
  }

  async create(replay: Replay): Promise<void> {
    await this.#db
      .insertInto('replay_runs')
      .values({
        id: replay.id,
        requested_by: replay.requested_by,
        requested_at: replay.requested_at,
        document: JSON.stringify(replay) as unknown as Replay,
      })
      .execute();
  }

  async update(replay: Replay): Promise<void> {
    await this.#db
      .updateTable('replay_runs')
      .set({ document: JSON.stringify(replay) as unknown as Replay })
      .where('id', '=', replay.id)
      .execute();
  }

  async addChanges(replayId: string, changes: readonly NumberedReplayChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.#db
      .insertInto('replay_changes')
      .values(
        changes.map(({ seq, change }) => ({
          replay_id: replayId,
          seq,
          audit_id: change.audit_id,
          transition: change.transition,
          change: JSON.stringify(change) as unknown as ReplayChange,
        })),
      )
      .execute();
  }

  async find(id: string): Promise<Replay | undefined> {
    const row = await this.#db
      .selectFrom('replay_runs')
      .select('document')
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
    return row === undefined ? undefined : parsed<Replay>(row.document);
  }

  async changes(replayId: string, query: ReplayChangesPageQuery): Promise<NumberedReplayChange[]> {
    let select = this.#db
      .selectFrom('replay_changes')
      .select(['seq', 'change'])
      .where('replay_id', '=', replayId.toLowerCase());
    if (query.afterSeq !== undefined) select = select.where('seq', '>', query.afterSeq);
    if (query.transition !== undefined) select = select.where('transition', '=', query.transition);
    const rows = await select.orderBy('seq').limit(query.limit).execute();
    return rows.map((row) => ({ seq: Number(row.seq), change: parsed<ReplayChange>(row.change) }));
  }
}

/** `pg` parses jsonb; PGlite may hand back the text of a parameter stored as text. */
function parsed<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}
