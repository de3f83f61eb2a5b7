/**
 * `SubjectKeyStore` in a PostgreSQL database of its own (POLICY_GATEWAY_SUBJECT_KEYS=
 * postgresql://…): one row per subject in `subject_keys`, made on first use, deleted on
 * erasure. For gateways that share no disk (several replicas, Kubernetes), where the file store
 * would give each replica keys of its own. It must not be the audit database: a restore of the
 * trail's backup taken before an erasure would bring the erased key back with it
 * (`originalSealerOf` refuses the same URL). A deleted row lingers in the table's pages and the
 * WAL until vacuumed and recycled; it holds a wrapped key, useless without the KEK.
 */
import pg from 'pg';
import type { StoredSubjectKey, SubjectKeyStore } from './subject-key-store.js';

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
  readonly #pool: pg.Pool;
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

  async destroy(subjectRef: string): Promise<StoredSubjectKey | undefined> {
    await this.#table();
    const { rows } = await this.#pool.query<KeyRow>(
      `delete from subject_keys where subject_ref = $1 returning ${COLUMNS}`,
      [subjectRef],
    );
    return rows[0] === undefined ? undefined : keyOf(rows[0]);
  }

  async close(): Promise<void> {
    await this.#pool.end();
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
