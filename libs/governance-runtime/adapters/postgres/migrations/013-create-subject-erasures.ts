/**
 * Migration 013: `subject_erasures`, the record of each erasure of a subject (GDPR Art. 17):
 * whose data key was destroyed, by whom, when, why, and how many stored originals it made
 * unreadable. Append-only like the other audit tables (migration 008's trigger function), so
 * that an erasure cannot be quietly undone on paper.
 *
 * The subject's keys are deliberately not kept here: a backup of this database restored after
 * an erasure must not bring the key back, so the key store lives elsewhere (a file store, or a
 * separate database; see the README's "Privacy" section).
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subject_erasures')
    .addColumn('id', 'uuid', (column) => column.primaryKey())
    .addColumn('subject_ref', 'text', (column) => column.notNull())
    .addColumn('key_id', 'text')
    .addColumn('erased_at', 'timestamptz', (column) => column.notNull())
    .addColumn('erased_by', 'text', (column) => column.notNull())
    .addColumn('reason', 'text', (column) => column.notNull())
    .addColumn('entries_affected', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex('subject_erasures_subject_ref_idx')
    .on('subject_erasures')
    .columns(['subject_ref', 'erased_at'])
    .execute();
  await sql`create trigger subject_erasures_append_only
      before update or delete on subject_erasures
      for each row execute function audit_refuse_change()`.execute(db);
  await sql`create trigger subject_erasures_no_truncate
      before truncate on subject_erasures
      for each statement execute function audit_refuse_change()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('subject_erasures').execute();
}
