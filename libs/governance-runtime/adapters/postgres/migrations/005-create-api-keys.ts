/**
 * Migration 005: `api_keys`, the gateway's API keys (`policy-gateway keys …`, `/admin/keys`).
 * A key is found by its id (the primary key) on every request that sends one; only a hash of
 * the secret is kept. Revoking sets `revoked_at` and never deletes the row, so that the audit
 * trail's `key:<id>` principals keep a name and a role to look up. A new table: replicas of
 * the previous build ignore it.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('name', 'text')
    .addColumn('role', 'text', (column) =>
      column.notNull().check(sql`role in ('evaluator', 'auditor', 'admin')`),
    )
    .addColumn('secret_hash', 'text', (column) => column.notNull())
    .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text')
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_keys').execute();
}
