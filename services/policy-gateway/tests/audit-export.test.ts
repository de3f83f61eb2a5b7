/**
 * The audit export (issue 17): `GET /governance/audit/export` answers every entry the list
 * answers for the same filters, in its order, as NDJSON or CSV; it is recorded in the access log
 * with its filters; it reads the trail only as fast as the client takes it and stops when the
 * client goes away; and, on a chained trail, it carries the checkpoints that vouch for the
 * entries and the keys that signed them.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditEntry, AuditExportLine, AuditPage } from '@policy-gateway/gateway-contract';
import {
  AuditLogEntryRepositoryDecorator,
  type AuditLogPage,
  type AuditLogQuery,
} from '@policy-gateway/governance-runtime';
import { openPostgresAuditLogDatabase } from '@policy-gateway/governance-runtime/postgres';
import {
  createTestDatabase,
  newSigningKeyPair,
  SignedChainFixture,
  type TestDatabase,
} from '@policy-gateway/governance-runtime/testing';
import { parse } from 'csv-parse/sync';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditApiMapper } from '../src/api/audit-api-mapper.js';
import { startAuditExport } from '../src/audit/audit-export.js';
import { AUDIT_EXPORT_CSV_COLUMNS } from '../src/audit/audit-export-encoding.js';
import { loadSettings } from '../src/config/settings.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migration-runner.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { openAuditStore } from '../src/store/open-audit-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

/** Counts the pages the trail is read by, to see when an export reads. */
class CountingReads extends AuditLogEntryRepositoryDecorator {
  queries = 0;
  override async query(query: AuditLogQuery): Promise<AuditLogPage> {
    this.queries += 1;
    return super.query(query);
  }
}

async function appWith(
  count: number,
  entry = auditEntry,
): Promise<TestApp & { reads: CountingReads }> {
  const store = createMemoryStore(count + 10);
  const reads = new CountingReads(store.repository);
  for (let minute = 0; minute < count; minute += 1) {
    await store.repository.append(
      entry(minute, {
        userId: minute % 3 === 0 ? 'bob' : 'alice',
        decision: minute % 4 === 0 ? 'deny' : 'allow',
      }),
    );
  }
  current = await buildTestApp({ store: { ...store, repository: reads } });
  return { ...current, reads };
}

/** Every entry the list serves for `query`, page after page. */
async function listed(t: TestApp, query: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const url = `/governance/audit?limit=1000&${query}${cursor === null ? '' : `&cursor=${cursor}`}`;
    const page: AuditPage = (await t.app.inject({ url })).json();
    entries.push(...page.entries);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return entries;
}

function ndjson(body: string): AuditExportLine[] {
  expect(body.endsWith('\n')).toBe(true);
  return body
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as AuditExportLine);
}

describe('GET /governance/audit/export?format=ndjson', () => {
  it('answers every entry the list answers for the same filters, in its order, then an end record', async () => {
    const t = await appWith(2500);
    const filters = 'user_id=alice&decision=allow';
    const response = await t.app.inject({
      url: `/governance/audit/export?format=ndjson&${filters}`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-\d{8}T\d{6}Z\.ndjson"$/,
    );
    const records = ndjson(response.body);
    const entries = records.flatMap((record) => (record.kind === 'entry' ? [record.entry] : []));
    const expected = await listed(t, filters);
    expect(expected.length).toBeGreaterThan(1000);
    expect(entries).toEqual(expected);
    expect(records.at(-1)).toEqual({
      kind: 'end',
      entries: expected.length,
      complete: true,
      next_cursor: null,
      signing_keys: [],
    });
  });

  it('is ndjson when no format is asked for, and an empty export is an end record alone', async () => {
    const t = await appWith(3);
    const response = await t.app.inject({ url: '/governance/audit/export?user_id=nobody' });
    expect(response.statusCode).toBe(200);
    expect(ndjson(response.body)).toEqual([
      { kind: 'end', entries: 0, complete: true, next_cursor: null, signing_keys: [] },
    ]);
  });

  it('refuses an unknown format or filter with a problem before anything is streamed', async () => {
    const t = await appWith(3);
    for (const query of ['format=xml', 'colour=red', 'cursor=forged', 'since=yesterday']) {
      const response = await t.app.inject({ url: `/governance/audit/export?${query}` });
      expect(response.statusCode, query).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('is recorded in the access log with its filters', async () => {
    const t = await appWith(5);
    await t.app.inject({ url: '/governance/audit/export?format=csv&decision=deny&user_id=bob' });
    const [record] = (await t.store.accessLog.query({ limit: 1 })).records;
    expect(record).toMatchObject({
      method: 'GET',
      route: '/governance/audit/export',
      status: 200,
      parameters: { format: 'csv', decision: 'deny', user_id: 'bob' },
    });
  });
});

describe('GET /governance/audit/export?format=csv', () => {
  it('has a fixed header and one row per listed entry, quoted so that commas, quotes and line breaks survive', async () => {
    const awkward = (minute: number, overrides: Parameters<typeof auditEntry>[1]) =>
      auditEntry(minute, {
        ...overrides,
        input: { prompt: `say "hi", then\nleave ${minute}`, user_id: 'alice', context: {} },
        userAgent: minute % 2 === 0 ? null : 'agent, with "quotes"',
      });
    const t = await appWith(40, awkward);
    const response = await t.app.inject({
      url: '/governance/audit/export?format=csv&user_id=alice',
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(response.headers['content-disposition']).toMatch(/\.csv"$/);
    const [header, ...rows] = parse(response.body) as string[][];
    expect(header).toEqual([...AUDIT_EXPORT_CSV_COLUMNS]);
    const expected = await listed(t, 'user_id=alice');
    expect(rows).toHaveLength(expected.length);
    const column = (name: string) => AUDIT_EXPORT_CSV_COLUMNS.indexOf(name);
    rows.forEach((row, index) => {
      const entry = expected[index]!;
      expect(row[column('id')]).toBe(entry.id);
      expect(JSON.parse(row[column('input')]!)).toEqual(entry.input);
      expect(row[column('user_agent')]).toBe(entry.user_agent ?? '');
      expect(row[column('latency_ms')]).toBe(String(entry.latency_ms));
      expect(row[column('enforced')]).toBe('true');
      expect(row[column('chain_id')]).toBe('');
    });
  });
});

describe('streaming', () => {
  it('reads the trail only as fast as the client takes it, and stops reading when the client disconnects', async () => {
    const big = (minute: number, overrides: Parameters<typeof auditEntry>[1]) =>
      auditEntry(minute, {
        ...overrides,
        input: { prompt: 'x'.repeat(2000), user_id: 'alice', context: {} },
      });
    const t = await appWith(30_000, big);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/governance/audit/export',
          headers: { host: 'localhost' },
        },
        resolve,
      )
        .on('error', reject)
        .end();
    });
    expect(response.statusCode).toBe(200);
    // Read one chunk, then stop reading: the socket's buffers fill and the export must wait.
    await new Promise((resolve) => response.once('data', resolve));
    response.pause();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const whilePaused = t.reads.queries;
    // 30 pages of ~2 MB make the export; a client that reads nothing holds it to a few.
    expect(whilePaused).toBeLessThan(15);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(t.reads.queries).toBe(whilePaused);
    response.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.reads.queries).toBeLessThanOrEqual(whilePaused + 1);
  });

  it('stops at its limit with next_cursor, from which the rest of the export continues', async () => {
    const store = createMemoryStore(100);
    for (let minute = 0; minute < 57; minute += 1) {
      await store.repository.append(auditEntry(minute));
    }
    const audit = new AuditApiMapper(store.repository);
    const limits = { pageEntries: 10, maxEntries: 25, maxMs: 60_000 };
    const collect = async (cursor?: string) => {
      const records: AuditExportLine[] = [];
      const exported = await startAuditExport(
        audit,
        undefined,
        cursor === undefined ? {} : { cursor },
        limits,
      );
      for await (const record of exported) records.push(record);
      return records;
    };
    const ids = (records: AuditExportLine[]) =>
      records.flatMap((record) => (record.kind === 'entry' ? [record.entry.id] : []));
    const first = await collect();
    const end = first.at(-1);
    expect(end).toMatchObject({ kind: 'end', entries: 20, complete: false });
    if (end?.kind !== 'end' || end.next_cursor === null) throw new Error('a cursor was expected');
    const second = await collect(end.next_cursor);
    const third = second.at(-1);
    if (third?.kind !== 'end' || third.next_cursor === null)
      throw new Error('a cursor was expected');
    const last = await collect(third.next_cursor);
    expect(last.at(-1)).toMatchObject({ entries: 17, complete: true, next_cursor: null });
    const all = (await audit.query({ limit: 1000 })).entries.map((entry) => entry.id);
    expect([...ids(first), ...ids(second), ...ids(last)]).toEqual(all);
  });
});

describe('on a chained trail (PostgreSQL)', () => {
  let database: TestDatabase | undefined;
  let store: AuditStore | undefined;
  afterEach(async () => {
    await store?.close();
    await database?.drop();
  });

  it('names for each entry a signed checkpoint at or after it, sends each checkpoint before it is named, and ends with the signing keys', async () => {
    database = await createTestDatabase();
    const settings = loadSettings({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
      POLICY_GATEWAY_DATABASE_URL: database.url,
    });
    if (settings.store.backend === 'memory') throw new Error('a database backend was expected');
    const silent = pino({ level: 'silent' });
    const migrator = await openDatabase(settings.store, { log: silent, forMigrations: true });
    await migrateToLatest(migrator.db);
    await migrator.close();
    const db = openPostgresAuditLogDatabase({ connectionString: database.url, maxConnections: 2 });
    const key = newSigningKeyPair();
    const chain = new SignedChainFixture(db, key);
    await chain.registerKey();
    await chain.append(30);
    const firstCheckpoint = await chain.checkpoint();
    await chain.append(20);
    const secondCheckpoint = await chain.checkpoint();
    await chain.append(5);
    await db.destroy();
    store = await openAuditStore(settings.store, silent);
    current = await buildTestApp({ store });
    const records = ndjson((await current.app.inject({ url: '/governance/audit/export' })).body);

    const seen = new Set<string>();
    const checkpointOf = new Map<number, string | null>();
    for (const record of records) {
      if (record.kind === 'checkpoint') {
        expect(record.checkpoint.chain_id).toBe(chain.chainId);
        seen.add(record.checkpoint.id);
      }
      if (record.kind === 'entry') {
        if (record.checkpoint_id !== null) expect(seen.has(record.checkpoint_id)).toBe(true);
        checkpointOf.set(record.entry.chain?.seq ?? 0, record.checkpoint_id);
      }
    }
    expect(checkpointOf.size).toBe(55);
    // The 5 newest entries are signed by no checkpoint yet; the rest by one at or after them.
    for (let seq = 51; seq <= 55; seq += 1) expect(checkpointOf.get(seq)).toBeNull();
    for (let seq = 31; seq <= 50; seq += 1) expect(checkpointOf.get(seq)).toBe(secondCheckpoint);
    for (let seq = 1; seq <= 30; seq += 1) {
      expect([firstCheckpoint, secondCheckpoint]).toContain(checkpointOf.get(seq));
    }
    expect(records.at(-1)).toMatchObject({
      kind: 'end',
      entries: 55,
      complete: true,
      signing_keys: [{ key_id: key.keyId, public_key_pem: key.publicKeyPem }],
    });
  });
});
