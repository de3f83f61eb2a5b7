/**
 * The contract of `AuditLogEntryRepository`, run against every adapter (memory, PGlite
 * in a temporary directory, a real PostgreSQL server) so that they cannot drift apart,
 * followed by what each adapter promises on its own (bounds, durability, the schema).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeAuditLogCursor,
  encodeAuditLogCursor,
  InvalidCursorError,
} from '../../../src/audit-log-cursor.js';
import type { AuditLogEntry } from '../../../src/audit-log-entry.js';
import type { AuditLogEntryRepository } from '../../../src/audit-log-entry-repository.js';
import type { AuditLogQuery } from '../../../src/audit-log-query.js';
import { DuplicateAuditLogEntryError } from '../../../src/duplicate-audit-log-entry-error.js';
import { InvalidAuditLogEntryError } from '../../../src/invalid-audit-log-entry-error.js';
import { InvalidAuditQueryError } from '../../../src/invalid-audit-query-error.js';
import { createTestDatabase, type TestDatabase } from '../../../testing/create-test-database.js';
import {
  migrateAuditLogToLatest,
  openTestPglite,
  type TestPglite,
} from '../../../testing/open-test-pglite.js';
import { MemoryAuditLogEntryRepository } from '../../memory/memory-audit-log-entry-repository.js';
import type { AuditLogDatabase } from '../../postgres/audit-log-database.js';
import { auditLogMigrationProvider } from '../../postgres/audit-log-migrations.js';
import { openPostgresAuditLogDatabase } from '../../postgres/open-postgres-audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../../postgres/postgres-audit-log-entry-repository.js';
import { at, makeEntry } from './audit-log-entry-fixtures.js';

/** How the contract suite gets an empty repository of one adapter. */
interface AdapterHarness {
  readonly name: string;
  readonly durable: boolean;
  setUp(): Promise<void>;
  /** An empty repository; called before each test. */
  empty(): Promise<AuditLogEntryRepository>;
  tearDown(): Promise<void>;
}

function memoryHarness(): AdapterHarness {
  return {
    name: 'memory',
    durable: false,
    async setUp() {},
    async empty() {
      return new MemoryAuditLogEntryRepository({ maxEntries: 10_000 });
    },
    async tearDown() {},
  };
}

function truncate(db: Kysely<AuditLogDatabase>): Promise<unknown> {
  return sql`truncate table audit_log_entries`.execute(db);
}

function pgliteHarness(): AdapterHarness & { pglite(): TestPglite; reopen(): Promise<void> } {
  let pglite: TestPglite | undefined;
  return {
    name: 'PGlite',
    durable: true,
    async setUp() {
      pglite = await openTestPglite();
    },
    async empty() {
      await truncate(pglite!.db);
      return new PostgresAuditLogEntryRepository(pglite!.db);
    },
    async tearDown() {
      await pglite?.remove();
    },
    pglite: () => pglite!,
    async reopen() {
      await pglite!.close();
      pglite = await openTestPglite(pglite!.dataDir);
    },
  };
}

function postgresHarness(): AdapterHarness & {
  db(): Kysely<AuditLogDatabase>;
  database(): TestDatabase;
} {
  let database: TestDatabase | undefined;
  let db: Kysely<AuditLogDatabase> | undefined;
  return {
    name: 'PostgreSQL server',
    durable: true,
    async setUp() {
      database = await createTestDatabase();
      db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 4 });
      await migrateAuditLogToLatest(db);
    },
    async empty() {
      await truncate(db!);
      return new PostgresAuditLogEntryRepository(db!);
    },
    async tearDown() {
      await db?.destroy();
      await database?.drop();
    },
    db: () => db!,
    database: () => database!,
  };
}

const memory = memoryHarness();
const pglite = pgliteHarness();
const postgres = postgresHarness();
const harnesses = [memory, pglite, postgres];

// One database per adapter for the whole file: a fresh PGlite directory takes seconds.
// One after the other: PGlite's initialisation holds the event loop long enough to
// time out a PostgreSQL connection being opened at the same time.
beforeAll(async () => {
  for (const harness of harnesses) await harness.setUp();
});
afterAll(() => Promise.all(harnesses.map((harness) => harness.tearDown())));

/** Every entry a query selects, following cursors page by page. */
async function walk(
  repository: AuditLogEntryRepository,
  query: Omit<AuditLogQuery, 'cursor'>,
): Promise<{ entries: AuditLogEntry[]; pages: number }> {
  const entries: AuditLogEntry[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await repository.query({ ...query, ...(cursor !== undefined && { cursor }) });
    pages += 1;
    entries.push(...page.entries);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && pages < 1000);
  return { entries, pages };
}

function ids(entries: readonly AuditLogEntry[]): string[] {
  return entries.map((entry) => entry.id);
}

/** Newest first: descending by occurredAt, then by id. */
function newestFirst(entries: readonly AuditLogEntry[]): AuditLogEntry[] {
  return [...entries].sort((a, b) =>
    a.occurredAt === b.occurredAt
      ? b.id.localeCompare(a.id)
      : b.occurredAt.localeCompare(a.occurredAt),
  );
}

/** A fixed permutation, so that append order differs from time order. */
function shuffled<T>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, key: (index * 7919) % 104_729 }))
    .sort((a, b) => (a.key % 13) - (b.key % 13) || a.key - b.key)
    .map(({ item }) => item);
}

describe.each(harnesses)('AuditLogEntryRepository contract: $name', (harness) => {
  let repository: AuditLogEntryRepository;

  beforeEach(async () => {
    repository = await harness.empty();
  });

  it(`reports durable = ${harness.durable}`, () => {
    expect(repository.durable).toBe(harness.durable);
  });

  it('returns an appended entry from findById with every field exactly as written', async () => {
    const entry = makeEntry({
      occurredAt: '2026-11-28T07:18:50.123456Z',
      userId: 'ユーザー-ü-😀',
      decision: 'deny',
      reasons: [
        { code: 'pii.email', message: 'Le prompt contient une adresse e-mail', severity: 'high' },
        { code: 'secret.aws_access_key', message: 'AWS key «AKIA…»', severity: 'critical' },
      ],
      input: {
        prompt: 'mail me at jane@example.com — 日本語 🚀',
        context: { nested: { deep: [1, 2.5, -3e-7, true, null, { k: 'v' }] }, empty: {} },
        unicode_key_é: 'value',
        big: 9_007_199_254_740_991,
      },
      result: { allow: false, reasons: [{ code: 'pii.email' }] },
      latencyMs: 1.234567,
      requestId: 'req-42',
      clientAddress: '2001:db8::1',
      userAgent: 'curl/8.5.0',
      gatewayInstance: 'gw-a:1234',
    });
    await repository.append(entry);
    expect(await repository.findById(entry.id)).toStrictEqual(entry);
  });

  it('round-trips an error entry with a null result, error text and null request fields', async () => {
    const entry = makeEntry({
      decision: 'error',
      result: null,
      error: 'OPA unreachable: connect ECONNREFUSED 127.0.0.1:8181',
      requestId: null,
      clientAddress: null,
      userAgent: null,
    });
    await repository.append(entry);
    expect(await repository.findById(entry.id)).toStrictEqual(entry);
  });

  it('stores timestamps in canonical UTC microseconds whatever offset they were given in', async () => {
    const entry = makeEntry({ occurredAt: '2026-11-28T08:18:50.5+01:00' });
    await repository.append(entry);
    const stored = await repository.findById(entry.id);
    expect(stored?.occurredAt).toBe('2026-11-28T07:18:50.500000Z');
  });

  it('stores JSON as JSON: undefined members vanish, key order does not matter', async () => {
    const entry = makeEntry({ input: { b: 1, a: undefined, c: [undefined, 2] } });
    await repository.append(entry);
    const stored = await repository.findById(entry.id);
    expect(stored?.input).toStrictEqual({ b: 1, c: [null, 2] });
  });

  it('round-trips every JS number exactly, however large, small or precise', async () => {
    const numbers = [0.1, 1e21, 5e-324, 1.7976931348623157e308, -2.5e-7, 2 ** 60 + 2 ** 10];
    const entry = makeEntry({ input: { numbers }, result: numbers });
    await repository.append(entry);
    const stored = await repository.findById(entry.id);
    expect(stored?.input).toStrictEqual({ numbers });
    expect(stored?.result).toStrictEqual(numbers);
  });

  it('finds nothing for an unknown id, and for a string that is not a UUID', async () => {
    await repository.append(makeEntry());
    expect(await repository.findById('01900000-0000-7000-8000-000000000000')).toBeUndefined();
    expect(await repository.findById('not-a-uuid')).toBeUndefined();
  });

  it('commits every one of many appends made at the same time', async () => {
    const entries = Array.from({ length: 40 }, (_, i) => makeEntry({ occurredAt: at(i % 4) }));
    await Promise.all(entries.map((entry) => repository.append(entry)));
    const { entries: walked } = await walk(repository, { limit: 7 });
    expect(ids(walked)).toEqual(ids(newestFirst(entries)));
  });

  it('round-trips a 64 KiB prompt', async () => {
    const prompt = 'Ünïcødé prompt 🚀 '.repeat(3500).slice(0, 64 * 1024);
    const entry = makeEntry({ input: { prompt } });
    await repository.append(entry);
    expect((await repository.findById(entry.id))?.input).toStrictEqual({ prompt });
  });

  it('finds an entry by its id written in upper case', async () => {
    const entry = makeEntry();
    await repository.append(entry);
    expect((await repository.findById(entry.id.toUpperCase()))?.id).toBe(entry.id);
  });

  it('rejects a second entry with the same id and keeps the first one intact', async () => {
    const first = makeEntry({ decision: 'allow', userId: 'first' });
    await repository.append(first);
    await expect(
      repository.append(makeEntry({ id: first.id, decision: 'deny', userId: 'second' })),
    ).rejects.toBeInstanceOf(DuplicateAuditLogEntryError);
    expect(await repository.findById(first.id)).toStrictEqual(first);
    expect((await repository.query({ limit: 10 })).entries).toHaveLength(1);
  });

  it.each([
    { note: 'NUL in the prompt', entry: { input: { prompt: 'a\u0000b' } }, field: 'input.prompt' },
    { note: 'unpaired surrogate in the user id', entry: { userId: 'x\ud800' }, field: 'userId' },
    {
      note: 'timestamp without a zone',
      entry: { occurredAt: '2026-11-28T07:18:50' },
      field: 'occurredAt',
    },
    { note: 'id that is not a UUID', entry: { id: 'entry-1' }, field: 'id' },
    { note: 'negative latency', entry: { latencyMs: -1 }, field: 'latencyMs' },
    { note: 'a BigInt in the input', entry: { input: { n: 10n } }, field: 'input' },
  ])('refuses an entry it could not store faithfully ($note) and stores nothing', async (c) => {
    const error = await repository.append(makeEntry(c.entry)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAuditLogEntryError);
    expect((error as InvalidAuditLogEntryError).field).toBe(c.field);
    expect((await repository.query({ limit: 10 })).entries).toEqual([]);
  });

  it('lists entries newest first, by time and then by id, whatever order they came in', async () => {
    const entries = [
      makeEntry({ occurredAt: at(3) }),
      makeEntry({ occurredAt: at(1) }),
      makeEntry({ occurredAt: at(2) }),
      makeEntry({ occurredAt: at(2) }),
      makeEntry({ occurredAt: at(1_000_000) }),
    ];
    for (const entry of shuffled(entries)) await repository.append(entry);
    const page = await repository.query({ limit: 10 });
    expect(ids(page.entries)).toEqual(ids(newestFirst(entries)));
    expect(page.nextCursor).toBeNull();
  });

  describe('filters', () => {
    const entries = [
      makeEntry({ occurredAt: at(1), userId: 'alice', decision: 'allow' }),
      makeEntry({ occurredAt: at(2), userId: 'bob', decision: 'deny' }),
      makeEntry({ occurredAt: at(3), userId: 'alice', decision: 'deny', policyPath: 'data.other' }),
      makeEntry({
        occurredAt: at(4),
        userId: 'alice',
        decision: 'error',
        decisionId: 'opa-decision-7',
      }),
      makeEntry({
        occurredAt: at(5),
        userId: 'carol',
        decision: 'allow',
        policyPath: 'data.other',
      }),
    ];
    const [e1, e2, e3, e4, e5] = entries as [
      AuditLogEntry,
      AuditLogEntry,
      AuditLogEntry,
      AuditLogEntry,
      AuditLogEntry,
    ];

    beforeEach(async () => {
      for (const entry of entries) await repository.append(entry);
    });

    it.each([
      { note: 'user', query: { userId: 'alice' }, expected: [e4, e3, e1] },
      { note: 'decision', query: { decision: 'deny' as const }, expected: [e3, e2] },
      { note: 'policy path', query: { policyPath: 'data.other' }, expected: [e5, e3] },
      { note: 'decision id', query: { decisionId: 'opa-decision-7' }, expected: [e4] },
      { note: 'since is inclusive', query: { since: at(3) }, expected: [e5, e4, e3] },
      { note: 'until is exclusive', query: { until: at(3) }, expected: [e2, e1] },
      { note: 'since and until', query: { since: at(2), until: at(4) }, expected: [e3, e2] },
      {
        note: 'bounds with an offset are compared in UTC',
        query: { since: '2026-11-28T08:00:00.000003+01:00' },
        expected: [e5, e4, e3],
      },
      {
        note: 'user and decision',
        query: { userId: 'alice', decision: 'deny' as const },
        expected: [e3],
      },
      {
        note: 'user, decision and time',
        query: { userId: 'alice', decision: 'allow' as const, since: at(2) },
        expected: [],
      },
      { note: 'a user nobody is', query: { userId: 'mallory' }, expected: [] },
    ])('selects by $note', async ({ query, expected }) => {
      const page = await repository.query({ limit: 100, ...query });
      expect(ids(page.entries)).toEqual(ids(expected));
      expect(page.nextCursor).toBeNull();
    });

    it('pages through a filtered selection with the filter kept', async () => {
      const { entries: walked } = await walk(repository, { limit: 1, userId: 'alice' });
      expect(ids(walked)).toEqual(ids([e4, e3, e1]));
    });
  });

  describe('keyset pagination', () => {
    it('walks every entry exactly once, newest first, even when many share one timestamp', async () => {
      const entries = [
        ...Array.from({ length: 12 }, () => makeEntry({ occurredAt: at(500) })),
        ...Array.from({ length: 8 }, (_, i) => makeEntry({ occurredAt: at(i * 100) })),
        ...Array.from({ length: 9 }, () => makeEntry({ occurredAt: at(900) })),
      ];
      for (const entry of shuffled(entries)) await repository.append(entry);
      for (const limit of [1, 3, 7, 29, 30]) {
        const { entries: walked, pages } = await walk(repository, { limit });
        expect(ids(walked), `limit ${limit}`).toEqual(ids(newestFirst(entries)));
        expect(pages, `limit ${limit}`).toBe(Math.ceil(entries.length / limit));
      }
    });

    it('ends with a null cursor when the last page is exactly full', async () => {
      for (let i = 0; i < 4; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
      const first = await repository.query({ limit: 2 });
      expect(first.nextCursor).not.toBeNull();
      const second = await repository.query({ limit: 2, cursor: first.nextCursor! });
      expect(second.entries).toHaveLength(2);
      expect(second.nextCursor).toBeNull();
    });

    it('keeps walking older entries when newer ones arrive between pages', async () => {
      const older = Array.from({ length: 6 }, (_, i) => makeEntry({ occurredAt: at(i) }));
      for (const entry of older) await repository.append(entry);
      const first = await repository.query({ limit: 3 });
      await repository.append(makeEntry({ occurredAt: at(1_000) }));
      const second = await repository.query({ limit: 3, cursor: first.nextCursor! });
      expect(ids([...first.entries, ...second.entries])).toEqual(ids(newestFirst(older)));
    });

    it('issues cursors that decode to the last entry of the page', async () => {
      for (let i = 0; i < 3; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
      const page = await repository.query({ limit: 2 });
      const last = page.entries[1]!;
      expect(decodeAuditLogCursor(page.nextCursor!)).toEqual({
        occurredAt: last.occurredAt,
        id: last.id,
      });
    });

    it.each([
      { note: 'not base64url', cursor: 'not a cursor!' },
      {
        note: 'base64url of something else',
        cursor: Buffer.from('{"offset":10}').toString('base64url'),
      },
      {
        note: 'an unknown version',
        cursor: Buffer.from(
          'v9|2026-11-28T07:00:00.000000Z|01900000-0000-7000-8000-000000000000',
        ).toString('base64url'),
      },
      {
        note: 'a bad timestamp',
        cursor: Buffer.from(
          'v1|2026-13-28T07:00:00.000000Z|01900000-0000-7000-8000-000000000000',
        ).toString('base64url'),
      },
      {
        note: 'a bad id',
        cursor: Buffer.from("v1|2026-11-28T07:00:00.000000Z|1' or '1'='1").toString('base64url'),
      },
      { note: 'empty', cursor: '' },
    ])('rejects a cursor that is $note with InvalidCursorError', async ({ cursor }) => {
      const error = await repository.query({ limit: 10, cursor }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidCursorError);
      expect(error).toBeInstanceOf(InvalidAuditQueryError);
      expect((error as InvalidCursorError).field).toBe('cursor');
    });

    it('rejects a truncated real cursor', async () => {
      for (let i = 0; i < 3; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
      const { nextCursor } = await repository.query({ limit: 1 });
      await expect(
        repository.query({ limit: 1, cursor: nextCursor!.slice(0, -6) }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
    });

    it('accepts a well-formed cursor for a position no entry has', async () => {
      const entries = [makeEntry({ occurredAt: at(10) }), makeEntry({ occurredAt: at(30) })];
      for (const entry of entries) await repository.append(entry);
      const cursor = encodeAuditLogCursor({
        occurredAt: at(20),
        id: '00000000-0000-7000-8000-000000000000',
      });
      const page = await repository.query({ limit: 10, cursor });
      expect(ids(page.entries)).toEqual([entries[0]!.id]);
    });
  });

  describe('limits', () => {
    it('returns at most `limit` entries, up to 1000', async () => {
      for (let i = 0; i < 5; i += 1) await repository.append(makeEntry({ occurredAt: at(i) }));
      expect((await repository.query({ limit: 1 })).entries).toHaveLength(1);
      expect((await repository.query({ limit: 1000 })).entries).toHaveLength(5);
    });

    it.each([0, -1, 1001, 2.5, Number.NaN])('rejects limit %s naming the field', async (limit) => {
      const error = await repository.query({ limit }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAuditQueryError);
      expect((error as InvalidAuditQueryError).field).toBe('limit');
    });

    it.each([
      { note: 'a since that is not a date-time', field: 'since' as const, value: 'yesterday' },
      {
        note: 'an until that is not a date',
        field: 'until' as const,
        value: '2026-02-30T00:00:00Z',
      },
      { note: 'a user id with U+0000', field: 'userId' as const, value: 'alice\u0000' },
      {
        note: 'a policy with an unpaired surrogate',
        field: 'policyPath' as const,
        value: '\udc00',
      },
      { note: 'a decision id with U+0000', field: 'decisionId' as const, value: '\u0000' },
      { note: 'an unknown decision', field: 'decision' as const, value: 'maybe' },
    ])('rejects $note, naming the field', async ({ field, value }) => {
      const error = await repository.query({ limit: 10, [field]: value }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidAuditQueryError);
      expect((error as InvalidAuditQueryError).field).toBe(field);
    });
  });
});

describe('MemoryAuditLogEntryRepository', () => {
  it('keeps at most maxEntries, dropping the oldest first', async () => {
    const repository = new MemoryAuditLogEntryRepository({ maxEntries: 3 });
    const entries = Array.from({ length: 5 }, (_, i) => makeEntry({ occurredAt: at(i) }));
    for (const entry of entries) await repository.append(entry);
    const page = await repository.query({ limit: 10 });
    expect(ids(page.entries)).toEqual(ids(newestFirst(entries.slice(2))));
    expect(await repository.findById(entries[0]!.id)).toBeUndefined();
    expect(repository.droppedCount).toBe(2);
  });

  it('drops the oldest by time even when an older entry arrives last', async () => {
    const repository = new MemoryAuditLogEntryRepository({ maxEntries: 2 });
    const newer = [makeEntry({ occurredAt: at(5) }), makeEntry({ occurredAt: at(6) })];
    for (const entry of newer) await repository.append(entry);
    await repository.append(makeEntry({ occurredAt: at(1) }));
    expect(ids((await repository.query({ limit: 10 })).entries)).toEqual(ids(newestFirst(newer)));
  });

  it('defaults to 1000 entries, the legacy store size', () => {
    expect(new MemoryAuditLogEntryRepository().maxEntries).toBe(1000);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new MemoryAuditLogEntryRepository({ maxEntries: 0 })).toThrow(RangeError);
  });

  it('loses its entries with the instance (it is not durable)', async () => {
    const entry = makeEntry();
    await new MemoryAuditLogEntryRepository().append(entry);
    const next = new MemoryAuditLogEntryRepository();
    expect(next.durable).toBe(false);
    expect(await next.findById(entry.id)).toBeUndefined();
  });

  it('does not let a caller alter a stored entry through one it read', async () => {
    const repository = new MemoryAuditLogEntryRepository();
    const entry = makeEntry({ input: { prompt: 'original' } });
    await repository.append(entry);
    const read = (await repository.findById(entry.id))!;
    expect(() => {
      (read.input as { prompt: string }).prompt = 'changed';
    }).toThrow(TypeError);
    expect((await repository.findById(entry.id))?.input).toEqual({ prompt: 'original' });
  });

  it('does not let a caller alter a stored entry through the object it appended', async () => {
    const repository = new MemoryAuditLogEntryRepository();
    const input = { prompt: 'original' };
    const entry = makeEntry({ input });
    await repository.append(entry);
    input.prompt = 'changed';
    expect((await repository.findById(entry.id))?.input).toEqual({ prompt: 'original' });
  });
});

describe('PostgresAuditLogEntryRepository on PGlite', () => {
  it('keeps entries after the data directory is closed and opened again', async () => {
    const repository = await pglite.empty();
    const entries = Array.from({ length: 3 }, (_, i) => makeEntry({ occurredAt: at(i) }));
    for (const entry of entries) await repository.append(entry);
    await pglite.reopen();
    const reopened = new PostgresAuditLogEntryRepository(pglite.pglite().db);
    expect((await reopened.query({ limit: 10 })).entries).toStrictEqual(newestFirst(entries));
  });

  it('keeps an entry whose append resolved even when the process is then SIGKILLed', async () => {
    const entry = makeEntry();
    const dataDir = pglite.pglite().dataDir;
    await pglite.pglite().close();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        fileURLToPath(new URL('./fixtures/append-then-wait.ts', import.meta.url)),
        dataDir,
        JSON.stringify(entry),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('committed')) resolve();
        });
        child.once('exit', (code) =>
          reject(new Error(`child exited with ${code} before committing`)),
        );
      });
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    await pglite.reopen();
    expect(
      await new PostgresAuditLogEntryRepository(pglite.pglite().db).findById(entry.id),
    ).toStrictEqual(entry);
  });

  it('is not durable when told its database lives in memory', () => {
    expect(
      new PostgresAuditLogEntryRepository(pglite.pglite().db, { durable: false }).durable,
    ).toBe(false);
  });
});

describe.each([
  { name: 'PGlite', db: () => pglite.pglite().db },
  { name: 'PostgreSQL server', db: () => postgres.db() },
])('migrations on $name', ({ db }) => {
  it('does nothing when run again on a current schema', async () => {
    const migrator = new Migrator({ db: db(), provider: auditLogMigrationProvider });
    const again = await migrator.migrateToLatest();
    expect(again.error).toBeUndefined();
    expect(again.results).toEqual([]);
    const migrations = await migrator.getMigrations();
    expect(migrations.map((m) => [m.name, m.executedAt !== undefined])).toEqual([
      ['001_create_audit_log_entries', true],
    ]);
  });

  it('creates audit_log_entries with a column of the right type for every field', async () => {
    const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: string }>`
      select column_name, data_type, is_nullable from information_schema.columns
      where table_name = 'audit_log_entries' order by ordinal_position`.execute(db());
    expect(
      rows.map(
        (r) => `${r.column_name} ${r.data_type} ${r.is_nullable === 'YES' ? 'null' : 'not null'}`,
      ),
    ).toEqual([
      'id uuid not null',
      'decision_id text not null',
      'occurred_at timestamp with time zone not null',
      'user_id text not null',
      'action text not null',
      'decision text not null',
      'reasons jsonb not null',
      'policy_path text not null',
      'policy_version text not null',
      'policy_engine text not null',
      'input jsonb not null',
      'result jsonb null',
      'error text null',
      'latency_ms double precision not null',
      'request_id text null',
      'client_address text null',
      'user_agent text null',
      'gateway_instance text not null',
      'inserted_at timestamp with time zone not null',
    ]);
  });

  it('creates the indexes the queries use: time; user and time; decision and time', async () => {
    const { rows } = await sql<{ indexdef: string }>`
      select indexdef from pg_indexes where tablename = 'audit_log_entries' order by indexname`.execute(
      db(),
    );
    const definitions = rows.map((r) => r.indexdef.replace(/^.* USING btree /, ''));
    expect(definitions).toEqual(
      expect.arrayContaining([
        '(occurred_at DESC, id DESC)',
        '(user_id, occurred_at DESC, id DESC)',
        '(decision, occurred_at DESC, id DESC)',
        '(policy_path, occurred_at DESC, id DESC)',
        '(decision_id)',
        '(id)',
      ]),
    );
  });

  it('refuses a decision other than allow, deny or error at the database level', async () => {
    const entry = makeEntry();
    await expect(
      sql`insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision, reasons, policy_path, policy_version, policy_engine, input, latency_ms, gateway_instance)
          values (${entry.id}::uuid, 'd', now(), 'u', 'a', 'maybe', '[]', 'p', 'v', 'e', '{}', 1, 'g')`.execute(
        db(),
      ),
    ).rejects.toThrow(/audit_log_entries_decision_check/);
  });
});
