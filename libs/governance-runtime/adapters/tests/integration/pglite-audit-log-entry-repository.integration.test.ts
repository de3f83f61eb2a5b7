/**
 * What the PostgreSQL adapter promises on PGlite beyond the shared contract: an entry
 * whose append resolved is on disk, through a reopening and a SIGKILL; and the schema the
 * migrations create there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, makeEntry } from '../../../testing/audit-log-entry-fixtures.js';
import { newestFirst } from '../../../testing/contract/contract-support.js';
import { openTestPglite, type TestPglite } from '../../../testing/open-test-pglite.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { describeAuditLogSchema } from './describe-audit-log-schema.js';
import { appendInChildThenKill } from './fixtures/append-in-child-then-kill.js';

let pglite: TestPglite;

// One directory for the file: a fresh one takes seconds to initialise.
beforeAll(async () => {
  pglite = await openTestPglite();
});
afterAll(() => pglite?.remove());

async function reopen(): Promise<void> {
  await pglite.close();
  pglite = await openTestPglite(pglite.dataDir);
}

describe('PostgresAuditLogEntryRepository on PGlite', () => {
  it('keeps entries after the data directory is closed and opened again', async () => {
    const repository = new PostgresAuditLogEntryRepository(pglite.db);
    const entries = Array.from({ length: 3 }, (_, i) => makeEntry({ occurredAt: at(i) }));
    for (const entry of entries) await repository.append(entry);
    await reopen();
    const reopened = new PostgresAuditLogEntryRepository(pglite.db);
    expect((await reopened.query({ limit: 10 })).entries).toStrictEqual(newestFirst(entries));
  });

  it('keeps an entry whose append resolved even when the process is then SIGKILLed', async () => {
    const entry = makeEntry();
    await pglite.close();
    await appendInChildThenKill(pglite.dataDir, entry);
    await reopen();
    expect(await new PostgresAuditLogEntryRepository(pglite.db).findById(entry.id)).toStrictEqual(
      entry,
    );
  });

  it('is not durable when told its database lives in memory', () => {
    expect(new PostgresAuditLogEntryRepository(pglite.db, { durable: false }).durable).toBe(false);
  });
});

describeAuditLogSchema('PGlite', () => pglite.db);
