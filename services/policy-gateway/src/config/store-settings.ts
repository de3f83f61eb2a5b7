/**
 * The audit store's settings: one variant per backend, chosen by
 * `POLICY_GATEWAY_AUDIT_STORE_BACKEND`, each with only the settings that apply to it. The
 * variables are declared in `setting-declarations.ts`; this module holds the rules between them.
 */
import {
  type Env,
  readSetting,
  type SettingContext,
  type SettingDeclaration,
} from './setting-declaration.js';
import { SETTING_DECLARATIONS } from './setting-declarations.js';
import { readSettingTree, type SettingValues } from './setting-tree.js';
import { SettingsError } from './settings-error.js';

/** Where the audit trail lives; exactly one of these, chosen by the backend. */
export type StoreSettings = (
  | { readonly backend: 'memory'; readonly maxEntries: number }
  | {
      readonly backend: 'postgres';
      /** Normalised for `pg` (`postgresql://…`), whatever scheme the operator wrote. */
      readonly databaseUrl: string;
      /** The same URL with the password masked, for logs. */
      readonly redactedDatabaseUrl: string;
      readonly poolSize: number;
      readonly connect: ConnectSettings;
      /** `POLICY_GATEWAY_READ_DATABASE_URL`: a streaming replica for the audit reads. */
      readonly readReplica?: ReadReplicaSettings;
    }
  | {
      readonly backend: 'embedded';
      /** Absolute path of the data directory. */
      readonly dataDir: string;
      readonly connect: ConnectSettings;
    }
) & {
  /**
   * Group commit on the chained write path (`serve`); `readStoreSettings` always fills it, and
   * a store opened without it (tests, tools) batches with the declared defaults.
   */
  readonly writeBatch?: WriteBatchSettings;
};

/** `POLICY_GATEWAY_AUDIT_BATCH_*` and `POLICY_GATEWAY_AUDIT_QUEUE_MAX_ENTRIES`. */
export type WriteBatchSettings = SettingValues<typeof SETTING_DECLARATIONS.store.writeBatch>;

/** A replica of the primary that serves audit reads; the pool has the primary's size and bounds. */
export interface ReadReplicaSettings {
  /** Normalised for `pg`, like the primary's. */
  readonly databaseUrl: string;
  readonly redactedDatabaseUrl: string;
}

export interface ConnectSettings {
  /** How long start-up waits for the database before giving up. */
  readonly maxWaitMs: number;
  /** First retry delay; doubles after each failed attempt, capped at 5 s. */
  readonly initialBackoffMs: number;
  /** Bound on acquiring a connection and on each statement. */
  readonly operationTimeoutMs: number;
}

const STORE = SETTING_DECLARATIONS.store;

/**
 * Reads the backend, then only the variables of its variant; a database URL given to a store
 * that would ignore it is refused rather than silently dropped.
 */
export function readStoreSettings(env: Env, context: SettingContext): StoreSettings {
  const read = <T>(setting: SettingDeclaration<T>): T => readSetting(env, setting, context);
  const backend = read(STORE.backend);
  const urlName = STORE.databaseUrl.name;
  const backendName = STORE.backend.name;
  const readUrlName = STORE.readDatabaseUrl.name;
  // A read replica of a database the store does not use would be silently ignored.
  if (backend !== 'postgres' && context.isSet(STORE.readDatabaseUrl)) {
    throw new SettingsError(
      readUrlName,
      `${readUrlName} is set but ${backendName}=${backend}: a read replica serves a PostgreSQL server's audit reads only; unset it, or set ${urlName} to the primary`,
    );
  }
  const connect: ConnectSettings = readSettingTree(env, STORE.connect, context);
  const writeBatch: WriteBatchSettings = readSettingTree(env, STORE.writeBatch, context);
  switch (backend) {
    case 'memory':
      if (context.isSet(STORE.databaseUrl)) {
        throw new SettingsError(
          urlName,
          `${urlName} is set but ${backendName}=memory: unset the URL to use the non-durable memory store, or choose postgres`,
        );
      }
      return { backend, maxEntries: read(STORE.maxEntries), writeBatch };
    case 'embedded':
      if (context.isSet(STORE.databaseUrl)) {
        throw new SettingsError(
          urlName,
          `${urlName} is set but ${backendName}=embedded: unset the URL to use the embedded database in ${STORE.dataDir.name}, or choose postgres`,
        );
      }
      return { backend, dataDir: read(STORE.dataDir), connect, writeBatch };
    case 'postgres': {
      const database = read(STORE.databaseUrl);
      if (database === undefined) {
        throw new SettingsError(
          urlName,
          `${urlName} is required when ${backendName}=postgres: expected postgresql://user:password@host:5432/database`,
        );
      }
      const replica = read(STORE.readDatabaseUrl);
      if (replica !== undefined && replica.url === database.url) {
        throw new SettingsError(
          readUrlName,
          `${readUrlName} names the same server and database as ${urlName}: set it to a streaming replica of that primary, or unset it`,
        );
      }
      return {
        backend,
        databaseUrl: database.url,
        redactedDatabaseUrl: database.redacted,
        poolSize: read(STORE.poolSize),
        connect,
        ...(replica !== undefined && {
          readReplica: { databaseUrl: replica.url, redactedDatabaseUrl: replica.redacted },
        }),
        writeBatch,
      };
    }
  }
}
