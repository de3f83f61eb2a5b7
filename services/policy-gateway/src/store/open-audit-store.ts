/**
 * Opens the audit store the settings ask for, with its write path: the one place that
 * lists, per backend, the steps an entry goes through on its way to the storage. A
 * database whose schema is behind the build's latest migration is refused (the operator
 * runs `policy-gateway migrate`); one that is ahead (a newer build migrated it) is served.
 */
import {
  type AuditWriteObserver,
  CommitOutcomeResolver,
  GROUP_COMMIT_DEFAULTS,
  type GroupCommitOptions,
} from '@policy-gateway/governance-runtime';
import {
  MemoryAuditCheckpointRepository,
  MemoryAuditTrailReader,
  MemoryChainIndex,
} from '@policy-gateway/governance-runtime/memory';
import {
  AUDIT_ENTRY_COMMITS_CHANNEL,
  PostgresAuditCheckpointRepository,
  PostgresAuditLogEntryRepository,
  PostgresChainLocks,
} from '@policy-gateway/governance-runtime/postgres';
import type { Logger } from 'pino';
import { PostgresApiKeyChangeListener } from '../auth/postgres/postgres-api-key-change-listener.js';
import type { StoreSettings } from '../config/settings.js';
import { type Database, type DatabaseSettings, openDatabase } from '../db/database.js';
import { openReadReplica, type ReadReplica } from '../db/read-replica.js';
import type { AuditStore } from './audit-store.js';
import { CommitNoticeSender } from './commit-notice-sender.js';
import { CommitSignal } from './commit-signal.js';
import { type AuditWriteStep, composeAuditWritePath } from './compose-audit-write-path.js';
import { createDatabaseStore } from './database-store.js';
import { DroppedEntriesWarning } from './dropped-entries-warning.js';
import { createMemoryStore } from './memory-store.js';
import { ReplicaReadRouting } from './replica-read-routing.js';
import { openTamperEvidence, type TamperEvidenceOptions } from './tamper-evidence.js';

/** The schema lacks migrations this build needs; `serve` never migrates by itself. */
export class SchemaBehindError extends Error {
  override readonly name = 'SchemaBehindError';
  constructor(readonly pending: readonly string[]) {
    super(
      `the database schema is behind this build (not applied: ${pending.join(', ')}); run \`policy-gateway migrate\` with the same POLICY_GATEWAY_* settings, then start the gateway again`,
    );
  }
}

/** What a caller of `openAuditStore` may watch on the write path. */
export interface AuditStoreObservers {
  /** Told of every batch written (batch size, commit latency, failures); needs the chain. */
  readonly writeObserver?: AuditWriteObserver;
}

/**
 * @param tamperEvidence the hash chain and its signed checkpoints, for `serve`; commands that
 *   only read or manage the store (and tests of other parts) leave it out, and write unchained.
 * @param observers for metrics: with the chain, the store also has `writeQueue` (queue depth).
 */
export async function openAuditStore(
  settings: StoreSettings,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
  tamperEvidence?: TamperEvidenceOptions,
  observers: AuditStoreObservers = {},
): Promise<AuditStore> {
  const batching = groupCommitOf(settings);
  if (settings.backend === 'memory') {
    const store = createMemoryStore(settings.maxEntries);
    const dropped: AuditWriteStep = (inner) =>
      new DroppedEntriesWarning(inner, { counter: store.repository, log });
    if (tamperEvidence === undefined) return composeAuditWritePath(store, [dropped]);
    const checkpoints = new MemoryAuditCheckpointRepository();
    const chain = await openTamperEvidence({
      settings: tamperEvidence,
      checkpoints,
      settleMs: 0,
      batching,
      ...observers,
      log,
    });
    // Next to the storage, so that the trail reader sees each entry as stored.
    const index = new MemoryChainIndex(store.repository);
    return {
      ...composeAuditWritePath({ ...store, repository: index }, [dropped, chain.step]),
      trail: new MemoryAuditTrailReader(index, checkpoints, {
        retentionKey: tamperEvidence.signingKey.key,
        removedBy: tamperEvidence.instance,
      }),
      tamperEvidence: chain.status,
      writeQueue: chain.writeQueue,
    };
  }
  const database = await openServableDatabase(settings, log);
  const replica = await openReplicaOf(settings, database, log);
  const notices =
    settings.backend === 'postgres' ? new CommitNoticeSender(database.db, log) : undefined;
  const store: AuditStore = withCommitNotices(
    {
      ...createDatabaseStore(database),
      ...(replica !== undefined && { readReplica: replica }),
    },
    settings,
    log,
    notices,
  );
  // Outermost: other replicas hear of a write once its caller's entry has committed.
  const announce: AuditWriteStep[] =
    notices === undefined ? [] : [(inner) => new CommitSignal(inner, notices)];
  // Batching (group commit) and the hash chain go above the resolver, which must see the
  // storage's own errors to tell a failed commit from one whose outcome is unknown.
  const resolver: AuditWriteStep = (inner) =>
    new CommitOutcomeResolver(inner, { settleMs: database.commitSettleMs });
  // Outermost: only the routes' reads go to the replica, never what the write path reads.
  const reads: AuditWriteStep[] =
    replica === undefined
      ? []
      : [
          (inner) =>
            new ReplicaReadRouting(inner, replica, new PostgresAuditLogEntryRepository(replica.db)),
        ];
  if (tamperEvidence === undefined) {
    return composeAuditWritePath(store, [resolver, ...reads, ...announce]);
  }
  let chain: Awaited<ReturnType<typeof openTamperEvidence>>;
  try {
    chain = await openTamperEvidence({
      settings: tamperEvidence,
      checkpoints: new PostgresAuditCheckpointRepository(database.db),
      // Only a server is shared by processes; an embedded database has one.
      ...(database.backend === 'postgres' && { locks: new PostgresChainLocks(database.db) }),
      settleMs: database.commitSettleMs,
      batching,
      ...observers,
      log,
    });
  } catch (error) {
    await replica?.close();
    await database.close();
    throw error;
  }
  return {
    ...composeAuditWritePath(store, [resolver, chain.step, ...reads, ...announce]),
    tamperEvidence: chain.status,
    writeQueue: chain.writeQueue,
  };
}

/**
 * A PostgreSQL server's store hears of the entries other replicas commit (the notices each
 * sends after its commits, `CommitNoticeSender`) on a connection of its own, opened when a live
 * tail first listens, closed with the store. A notice is also given when listening (re)starts:
 * what was missed meanwhile is read. Its own notices are sent before the database closes.
 */
function withCommitNotices(
  store: AuditStore,
  settings: DatabaseSettings,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
  notices: CommitNoticeSender | undefined,
): AuditStore {
  if (settings.backend !== 'postgres') return store;
  const commits = new PostgresApiKeyChangeListener({
    connectionString: settings.databaseUrl,
    channel: AUDIT_ENTRY_COMMITS_CHANNEL,
    timeoutMs: settings.connect.operationTimeoutMs,
    applicationName: 'policy-gateway audit commits',
    onDeaf: (error) =>
      log.warn(
        { err: error },
        'not hearing of audit entries other replicas commit (live tails see them at their next heartbeat); reconnecting',
      ),
  });
  return {
    ...store,
    commits,
    close: async () => {
      await commits.close();
      await notices?.close();
      await store.close();
    },
  };
}

/** The chain's group commit, as configured (the declared defaults for a store opened without). */
export function groupCommitOf(settings: Pick<StoreSettings, 'writeBatch'>): GroupCommitOptions {
  const batch = settings.writeBatch;
  if (batch === undefined) return GROUP_COMMIT_DEFAULTS;
  return {
    maxBatchEntries: batch.maxEntries,
    maxDelayMs: batch.maxDelayMs,
    maxQueuedEntries: batch.queueMaxEntries,
  };
}

/** The read replica of a PostgreSQL store, when one is set; closes the primary if refused. */
async function openReplicaOf(
  settings: DatabaseSettings,
  database: Database,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
): Promise<ReadReplica | undefined> {
  if (settings.backend !== 'postgres' || settings.readReplica === undefined) return undefined;
  try {
    return await openReadReplica(settings.readReplica, database.db, {
      poolSize: settings.poolSize,
      connect: settings.connect,
      log,
    });
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Opens the database and refuses a schema this build cannot serve. */
async function openServableDatabase(
  settings: DatabaseSettings,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
): Promise<Database> {
  const database = await openDatabase(settings, { log });
  try {
    const status = await database.migrationStatus();
    if (status.state === 'behind') throw new SchemaBehindError(status.pending);
    if (status.state === 'ahead') {
      log.warn(
        { unknownMigrations: status.unknown },
        'the database schema is ahead of this build (a newer build migrated it); serving, since migrations are additive',
      );
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}
