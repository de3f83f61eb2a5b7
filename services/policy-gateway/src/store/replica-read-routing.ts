/**
 * The outermost step of a PostgreSQL store with a read replica: the trail's reads (`query`,
 * `findById`) go to the replica, everything else to the write path below. A client that has
 * just been answered for a decision and reads its entry by id must find it, replication lag or
 * not, so an id the replica does not have yet is looked up on the primary. A replica that fails
 * sends the read to the primary instead (and, for a few seconds, the reads after it).
 * Idempotency lookups stay on the primary: a retry must see the entry its first try committed.
 */
import {
  type AuditLogEntry,
  type AuditLogEntryRepository,
  AuditLogEntryRepositoryDecorator,
  type AuditLogPage,
  type AuditLogQuery,
  InvalidAuditQueryError,
} from '@policy-gateway/governance-runtime';
import type { ReadReplica } from '../db/read-replica.js';

/** What the routing needs of the replica: whether to try it, what became of it, and close. */
export type ReplicaCircuit = Pick<ReadReplica, 'usable' | 'failed' | 'succeeded' | 'close'>;

export class ReplicaReadRouting extends AuditLogEntryRepositoryDecorator {
  readonly #replica: ReplicaCircuit;
  readonly #replicaEntries: AuditLogEntryRepository;

  /**
   * @param replicaEntries the entries repository over the replica's pool (never written to).
   */
  constructor(
    primary: AuditLogEntryRepository,
    replica: ReplicaCircuit,
    replicaEntries: AuditLogEntryRepository,
  ) {
    super(primary);
    this.#replica = replica;
    this.#replicaEntries = replicaEntries;
  }

  override async findById(id: string): Promise<AuditLogEntry | undefined> {
    const entry = await this.#onReplica((entries) => entries.findById(id));
    return entry ?? (await super.findById(id));
  }

  override async query(query: AuditLogQuery): Promise<AuditLogPage> {
    const page = await this.#onReplica((entries) => entries.query(query));
    return page ?? (await super.query(query));
  }

  override async close(): Promise<void> {
    try {
      await this.#replicaEntries.close();
      await this.#replica.close();
    } finally {
      await super.close();
    }
  }

  /** The read's result on the replica, or undefined when the primary must answer it. */
  async #onReplica<T>(
    read: (entries: AuditLogEntryRepository) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    if (!(await this.#replica.usable())) return undefined;
    try {
      const result = await read(this.#replicaEntries);
      this.#replica.succeeded();
      return result;
    } catch (error) {
      // A query refused for its own sake (a bad cursor, a bad bound) is refused by the primary
      // the same way: it is the caller's answer, not the replica's failure.
      if (error instanceof InvalidAuditQueryError) throw error;
      this.#replica.failed(error);
      return undefined;
    }
  }
}
