/**
 * The streaming replica that serves audit reads (`POLICY_GATEWAY_READ_DATABASE_URL`): its own
 * pool, whether reads should go to it now, and its state for `/ready`. A replica that fails is
 * left alone for a few seconds, reads going to the primary meanwhile, so that a replica that is
 * down costs each read one failed attempt at most, not a connection timeout every time.
 */
import {
  type AuditLogDatabase,
  openPostgresAuditLogDatabase,
} from '@policy-gateway/governance-runtime/postgres';
import { type Kysely, sql } from 'kysely';
import type { Logger } from 'pino';
import type { ConnectSettings, ReadReplicaSettings } from '../config/store-settings.js';
import { UnusableSettingError } from '../config/unusable-setting-error.js';

/** How long reads bypass a replica after it failed, before it is tried again. */
export const READ_REPLICA_RETRY_AFTER_MS = 5_000;

/** How long `/ready` waits for the replica's state. */
const PROBE_TIMEOUT_MS = 1_000;

/** The replica as `/ready` reports it. */
export interface ReadReplicaHealth {
  readonly reachable: boolean;
  /** Reads go to it now (false while it is left alone after a failure). */
  readonly servingReads: boolean;
  /** Still a standby; false once promoted. Absent when unreachable. */
  readonly inRecovery?: boolean;
  readonly replayPaused?: boolean;
  /** Replay behind what it received, in ms (0 when caught up); null before any replay. */
  readonly lagMs?: number | null;
  /** Why it is unreachable. */
  readonly problem?: string;
}

export interface ReadReplica {
  readonly db: Kysely<AuditLogDatabase>;
  /** Where it is, for logs: the URL without its password. */
  readonly location: string;
  /**
   * Whether a read should try the replica now: not while it is left alone after a failure, and
   * not before it has been seen to be a copy of the primary (checked once, when it first answers).
   */
  usable(): Promise<boolean>;
  /** Tells that a read on the replica failed: reads go to the primary for a while. */
  failed(error: unknown): void;
  /** Tells that a read on the replica succeeded. */
  succeeded(): void;
  /** Probes the replica; never rejects. */
  check(): Promise<ReadReplicaHealth>;
  close(): Promise<void>;
}

interface ReplicaState {
  readonly in_recovery: boolean;
  readonly replay_paused: boolean | null;
  readonly lag_ms: number | null;
  readonly system_identifier: string;
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}

async function replicaState(db: Kysely<AuditLogDatabase>): Promise<ReplicaState> {
  // Lag from the replica's own view: 0 when it has replayed everything it received (an idle
  // primary sends nothing, and the age of the last transaction would only grow), else how old
  // the last replayed transaction is.
  const { rows } = await sql<ReplicaState>`
    select pg_is_in_recovery() as in_recovery,
      case when pg_is_in_recovery() then pg_is_wal_replay_paused() end as replay_paused,
      case
        when not pg_is_in_recovery() then 0
        when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
        when pg_last_xact_replay_timestamp() is null then null
        else greatest(0, floor(extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000))
      end::float8 as lag_ms,
      (select system_identifier::text from pg_control_system()) as system_identifier`.execute(db);
  const state = rows[0];
  if (state === undefined) throw new Error('the replica returned no state');
  return state;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function systemIdentifier(db: Kysely<AuditLogDatabase>): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    select system_identifier::text as id from pg_control_system()`.execute(db);
  return rows[0]?.id ?? '';
}

/**
 * Opens the replica's pool beside the primary's (`primary`), with the primary's size and
 * bounds. Refuses a server that is not a copy of the primary (another system identifier: its
 * reads would show another trail). A replica that does not answer yet is accepted, reads going
 * to the primary until it does; one that is no longer in recovery (promoted by a failover) is
 * accepted with a warning.
 */
export async function openReadReplica(
  settings: ReadReplicaSettings,
  primary: Kysely<AuditLogDatabase>,
  options: {
    readonly poolSize: number;
    readonly connect: ConnectSettings;
    readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
  },
): Promise<ReadReplica> {
  const { log, connect } = options;
  const location = settings.redactedDatabaseUrl;
  const db = openPostgresAuditLogDatabase({
    connectionString: settings.databaseUrl,
    maxConnections: options.poolSize,
    connectionTimeoutMs: connect.operationTimeoutMs,
    statementTimeoutMs: connect.operationTimeoutMs,
    applicationName: 'policy-gateway read',
    onIdleError: (error) =>
      log.warn(
        `an idle read replica connection failed (${describe(error)}); it will be replaced when needed`,
      ),
    onConnectionError: (error) =>
      log.warn(`a read replica connection failed (${describe(error)}); it will be discarded`),
  });
  let bypassUntil = 0;
  let down = false;
  // Learnt at start from the primary, which is up by then; a replica that is not up yet is
  // checked against it when it first answers a probe.
  let primaryId: string;
  try {
    primaryId = await systemIdentifier(primary);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  let foreign = false;
  let verified = false;
  let lastProblem: string | undefined;
  const bypassed = () => foreign || Date.now() < bypassUntil;
  const notAReplica = (id: string) =>
    `POLICY_GATEWAY_READ_DATABASE_URL ${location} is not a replica of POLICY_GATEWAY_DATABASE_URL (another PostgreSQL system: ${id}, the primary's is ${primaryId}): its reads would show another trail; set it to a streaming replica of the primary, or unset it`;
  /** Whether the state is a copy of the primary's system; says so once when it is not. */
  const verify = (state: ReplicaState): boolean => {
    if (state.system_identifier === primaryId) {
      verified = true;
      return true;
    }
    lastProblem = notAReplica(state.system_identifier);
    if (!foreign) log.error(`${lastProblem}; audit reads go to the primary`);
    foreign = true;
    return false;
  };
  const replica: ReadReplica = {
    db,
    location,
    async usable() {
      if (bypassed()) return false;
      if (verified) return true;
      try {
        return verify(await replicaState(db));
      } catch (error) {
        replica.failed(error);
        return false;
      }
    },
    failed(error) {
      bypassUntil = Date.now() + READ_REPLICA_RETRY_AFTER_MS;
      lastProblem = describe(error);
      if (down) return;
      down = true;
      log.warn(
        `the read replica POLICY_GATEWAY_READ_DATABASE_URL ${location} failed (${describe(error)}); audit reads go to the primary, and the replica is tried again every ${READ_REPLICA_RETRY_AFTER_MS} ms`,
      );
    },
    succeeded() {
      if (!down) return;
      down = false;
      log.info(`the read replica ${location} answers again; audit reads go to it`);
    },
    async check() {
      // While the replica is left alone after a failure, the probe reports that failure rather
      // than wait for a connection again: a readiness probe must answer quickly.
      if (bypassed() && lastProblem !== undefined) {
        return { reachable: !down, servingReads: false, problem: lastProblem };
      }
      try {
        const state = await withDeadline(replicaState(db), PROBE_TIMEOUT_MS);
        if (!verify(state)) {
          return { reachable: true, servingReads: false, problem: lastProblem };
        }
        replica.succeeded();
        bypassUntil = 0;
        return {
          reachable: true,
          servingReads: true,
          inRecovery: state.in_recovery,
          replayPaused: state.replay_paused === true,
          lagMs: state.lag_ms === null ? null : Math.round(state.lag_ms),
        };
      } catch (error) {
        replica.failed(error);
        return { reachable: false, servingReads: false, problem: describe(error) };
      }
    },
    close: () => db.destroy(),
  };
  let state: ReplicaState;
  try {
    state = await replicaState(db);
  } catch (error) {
    replica.failed(error);
    return replica;
  }
  if (state.system_identifier !== primaryId) {
    await db.destroy();
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_READ_DATABASE_URL'],
      notAReplica(state.system_identifier),
    );
  }
  verified = true;
  if (!state.in_recovery) {
    log.warn(
      `the read replica ${location} is not in recovery (promoted by a failover, or a copy that no longer follows the primary): audit reads still go to it, and may miss what the primary records from now on`,
    );
  }
  log.info({ replica: location }, 'audit reads go to the read replica');
  return replica;
}
