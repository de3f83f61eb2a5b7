/**
 * `SubjectKeyStore` in a PostgreSQL database of its own (POLICY_GATEWAY_SUBJECT_KEYS=
 * postgresql://…): one row per subject in `subject_keys`, made on first use, deleted on
 * erasure. For gateways that share no disk (several replicas, Kubernetes), where the file store
 * would give each replica keys of its own. It must not be the audit database: a restore of the
 * trail's backup taken before an erasure would bring the erased key back with it
 * (`originalSealerOf` refuses the same URL). A deleted row lingers in the table's pages and the
 * WAL until vacuumed and recycled; it holds a wrapped key, useless without the KEK.
 *
 * Every replica remembers sealing keys for a moment (`OriginalSealer`), so a destruction is
 * announced on the channel `policy_gateway_subject_keys` in the statement that deletes the row
 * (delivered when it commits), and each store listens on a connection of its own: a replica
 * forgets the destroyed key as soon as it hears, and trusts its memory only while it listens.
 */
import pg from 'pg';
import { PostgresApiKeyChangeListener } from '../auth/postgres/postgres-api-key-change-listener.js';
import type {
  StoredSubjectKey,
  SubjectKeyDestructions,
  SubjectKeyStore,
} from './subject-key-store.js';

/** Where destructions are announced: the payload is the destroyed key's `subject_ref`. */
export const SUBJECT_KEY_DESTRUCTIONS_CHANNEL = 'policy_gateway_subject_keys';

interface KeyRow {
  readonly subject_ref: string;
  readonly key_id: string;
  readonly kek_id: string;
  readonly wrapped_key: Buffer;
  readonly created_at: Date;
}

const COLUMNS = 'subject_ref, key_id, kek_id, wrapped_key, created_at';

function keyOf(row: KeyRow): StoredSubjectKey {
  return {
    subjectRef: row.subject_ref,
    keyId: row.key_id,
    kekId: row.kek_id,
    wrappedKey: row.wrapped_key,
    createdAt: row.created_at.toISOString(),
  };
}

export interface PostgresSubjectKeyStoreOptions {
  readonly url: string;
  /** Shown in logs and errors instead of the URL, whose password it masks. */
  readonly redactedUrl: string;
  readonly maxConnections?: number;
  /** Bound on acquiring a connection and on each statement. */
  readonly timeoutMs?: number;
}

export class PostgresSubjectKeyStore implements SubjectKeyStore {
  readonly location: string;
  readonly destructions: SubjectKeyDestructions;
  readonly #pool: pg.Pool;
  readonly #listener: PostgresApiKeyChangeListener;
  #ready: Promise<unknown> | undefined;

  constructor(options: PostgresSubjectKeyStoreOptions) {
    this.location = `database ${options.redactedUrl}`;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 4,
      connectionTimeoutMillis: options.timeoutMs ?? 5000,
      statement_timeout: options.timeoutMs ?? 5000,
      application_name: 'policy-gateway subject keys',
    });
    // An idle connection the server dropped must not crash the process; the next query reconnects.
    this.#pool.on('error', () => {});
    this.#listener = new PostgresApiKeyChangeListener({
      connectionString: options.url,
      channel: SUBJECT_KEY_DESTRUCTIONS_CHANNEL,
      applicationName: 'policy-gateway subject key destructions',
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    this.destructions = this.#listener;
  }

  async current(subjectRef: string): Promise<StoredSubjectKey | undefined> {
    await this.#table();
    const { rows } = await this.#pool.query<KeyRow>(
      `select ${COLUMNS} from subject_keys where subject_ref = $1`,
      [subjectRef],
    );
    return rows[0] === undefined ? undefined : keyOf(rows[0]);
  }

  async createIfAbsent(key: StoredSubjectKey): Promise<StoredSubjectKey> {
    await this.#table();
    const { rows } = await this.#pool.query<KeyRow>(
      `insert into subject_keys (${COLUMNS}) values ($1, $2, $3, $4, $5)
       on conflict (subject_ref) do nothing returning ${COLUMNS}`,
      [key.subjectRef, key.keyId, key.kekId, key.wrappedKey, key.createdAt],
    );
    if (rows[0] !== undefined) return keyOf(rows[0]);
    // Another writer made the subject's key first; an erasure in between leaves none: retry.
    return (await this.current(key.subjectRef)) ?? this.createIfAbsent(key);
  }

  async currentKeyIds(subjectRefs: readonly string[]): Promise<ReadonlyMap<string, string>> {
    if (subjectRefs.length === 0) return new Map();
    await this.#table();
    const { rows } = await this.#pool.query<{ subject_ref: string; key_id: string }>(
      'select subject_ref, key_id from subject_keys where subject_ref = any($1::text[])',
      [[...new Set(subjectRefs)]],
    );
    return new Map(rows.map((row) => [row.subject_ref, row.key_id]));
  }

  async destroy(subjectRef: string): Promise<StoredSubjectKey | undefined> {
    await this.#table();
    // One statement: the notification is sent if and only if the row's deletion commits.
    const { rows } = await this.#pool.query<KeyRow>(
      `with gone as (delete from subject_keys where subject_ref = $1 returning ${COLUMNS})
       select ${COLUMNS}, pg_notify('${SUBJECT_KEY_DESTRUCTIONS_CHANNEL}', subject_ref)::text as told
       from gone`,
      [subjectRef],
    );
    return rows[0] === undefined ? undefined : keyOf(rows[0]);
  }

  async close(): Promise<void> {
    try {
      await this.#listener.close();
    } finally {
      await this.#pool.end();
    }
  }

  /** The table, made on first use: the key database holds nothing else to migrate. */
  #table(): Promise<unknown> {
    this.#ready ??= this.#pool
      .query(
        `create table if not exists subject_keys (
           subject_ref text primary key check (subject_ref ~ '^[0-9a-f]{64}$'),
           key_id text not null unique,
           kek_id text not null,
           wrapped_key bytea not null,
           created_at timestamptz not null)`,
      )
      .catch((error: unknown) => {
        this.#ready = undefined;
        throw error;
      });
    return this.#ready;
  }
}
