/**
 * Migration 007: tamper evidence. The chain columns of each entry (`chain_id`, `chain_seq`,
 * `prev_hash`, `entry_hash`; see `auditEntryHash` for what is hashed), the signed checkpoints
 * of chain heads (`audit_checkpoints`) and the public keys that signed them
 * (`audit_signing_keys`, kept after a key is rotated out so that old checkpoints still verify).
 *
 * The chain columns are nullable without a default, so adding them rewrites no row and
 * replicas of the previous build keep inserting (see migration 001 on additive migrations);
 * entries written before this migration (or by such a replica) have none, and a verifier
 * reports them as unchained. The check keeps the four together: all set or none. The unique
 * index makes a second entry at a chain's seq impossible and serves walking a chain in order.
 */
import { type Kysely, sql } from 'kysely';

export const CHAIN_SEQ_INDEX = 'audit_log_entries_chain_id_chain_seq_idx';
export const CHECKPOINT_CHAIN_INDEX = 'audit_checkpoints_chain_id_chain_seq_idx';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('audit_log_entries')
    .addColumn('chain_id', 'uuid')
    .addColumn('chain_seq', 'bigint')
    .addColumn('prev_hash', 'text')
    .addColumn('entry_hash', 'text')
    .execute();
  // NOT VALID: rows already stored (all without a chain, so all valid) are not re-read.
  await sql`alter table audit_log_entries add constraint audit_log_entries_chain_check check (
      (chain_id is null and chain_seq is null and prev_hash is null and entry_hash is null)
      or (chain_id is not null and chain_seq >= 1 and prev_hash is not null and entry_hash is not null)
    ) not valid`.execute(db);
  await db.schema
    .createIndex(CHAIN_SEQ_INDEX)
    .on('audit_log_entries')
    .columns(['chain_id', 'chain_seq'])
    .unique()
    .where(sql<boolean>`chain_id is not null`)
    .execute();

  await db.schema
    .createTable('audit_signing_keys')
    // First 16 bytes, hex, of the SHA-256 of the public key's DER (SPKI).
    .addColumn('key_id', 'text', (column) => column.primaryKey())
    .addColumn('algorithm', 'text', (column) => column.notNull())
    .addColumn('public_key_pem', 'text', (column) => column.notNull())
    .addColumn('first_used_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .addColumn('first_used_by', 'text', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('id', 'uuid', (column) => column.primaryKey())
    .addColumn('chain_id', 'uuid', (column) => column.notNull())
    .addColumn('chain_seq', 'bigint', (column) => column.notNull())
    .addColumn('entry_hash', 'text', (column) => column.notNull())
    .addColumn('prev_checkpoint_id', 'uuid')
    .addColumn('prev_checkpoint_hash', 'text')
    .addColumn('key_id', 'text', (column) => column.notNull())
    // As signed (canonical RFC 3339 text), so that it reads back byte for byte.
    .addColumn('created_at', 'text', (column) => column.notNull())
    .addColumn('instance', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('final', 'boolean', (column) => column.notNull())
    // The canonical JSON that was signed, the hex SHA-256 of it, and the base64 Ed25519
    // signature over it: the columns above repeat the payload's members for queries.
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('checkpoint_hash', 'text', (column) => column.notNull())
    .addColumn('signature', 'text', (column) => column.notNull())
    .addColumn('inserted_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex(CHECKPOINT_CHAIN_INDEX)
    .on('audit_checkpoints')
    .columns(['chain_id', 'chain_seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_checkpoints').execute();
  await db.schema.dropTable('audit_signing_keys').execute();
  await db.schema.dropIndex(CHAIN_SEQ_INDEX).execute();
  await sql`alter table audit_log_entries drop constraint audit_log_entries_chain_check`.execute(
    db,
  );
  await db.schema
    .alterTable('audit_log_entries')
    .dropColumn('entry_hash')
    .dropColumn('prev_hash')
    .dropColumn('chain_seq')
    .dropColumn('chain_id')
    .execute();
}
