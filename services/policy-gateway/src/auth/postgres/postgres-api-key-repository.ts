/**
 * API keys in the audit database's `api_keys` table (migration 005), on a PostgreSQL server
 * or the embedded PGlite database alike. `findById` is one primary-key lookup; revocation is one
 * UPDATE, which migration 009's trigger announces to every replica (`policy_gateway_api_keys`)
 * and this object to its own listeners (`onChange`), so that caches of records can evict.
 */
import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyRecord, ApiKeyRepository, NewApiKeyRecord } from '../api-key-repository.js';
import { KeyChangeListeners } from '../key-change-listeners.js';
import { ROLES, type Role } from '../principal.js';
import type { ApiKeysDatabase, ApiKeysTable } from './api-keys-table.js';

type Row = Selectable<ApiKeysTable>;

function toRole(value: string): Role {
  // The table's check constraint allows only these; anything else is a fault to report.
  if (!(ROLES as readonly string[]).includes(value))
    throw new Error(`API key with unknown role ${value}`);
  return value as Role;
}

function toRecord(row: Row): ApiKeyRecord {
  return Object.freeze({
    id: row.id,
    name: row.name,
    role: toRole(row.role),
    secretHash: row.secret_hash,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  });
}

export class PostgresApiKeyRepository implements ApiKeyRepository {
  readonly durable = true;
  readonly #db: Kysely<ApiKeysDatabase>;
  readonly #changes = new KeyChangeListeners();

  /** Over the audit database, whatever tables its type lists; its owner closes it. */
  static over<DB>(db: Kysely<DB>): PostgresApiKeyRepository {
    return new PostgresApiKeyRepository(
      db.withTables<ApiKeysDatabase>() as unknown as Kysely<ApiKeysDatabase>,
    );
  }

  private constructor(db: Kysely<ApiKeysDatabase>) {
    this.#db = db;
  }

  async insert(record: NewApiKeyRecord): Promise<void> {
    await this.#db
      .insertInto('api_keys')
      .values({
        id: record.id,
        name: record.name,
        role: record.role,
        secret_hash: record.secretHash,
        created_at: record.createdAt,
        created_by: record.createdBy,
        expires_at: record.expiresAt,
        revoked_at: null,
        last_used_at: null,
      })
      .execute();
    this.#changes.announce(record.id);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : toRecord(row);
  }

  async list({ limit }: { readonly limit: number }): Promise<readonly ApiKeyRecord[]> {
    const rows = await this.#db
      .selectFrom('api_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((row) => toRecord(row));
  }

  async revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    // One statement: a concurrent revoke keeps the first time.
    const row = await this.#db
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(at)) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) return undefined;
    this.#changes.announce(id);
    return toRecord(row);
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.#db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  onChange(listener: (id: string) => void): () => void {
    return this.#changes.add(listener);
  }
}
