/**
 * Pages of `GET /governance/audit` as a client reads them: bounded in bytes as well as in
 * count (POLICY_GATEWAY_AUDIT_PAGE_MAX_BYTES), and walked with signed cursors that a gateway
 * with the same POLICY_GATEWAY_CURSOR_SECRET accepts and every altered one refuses.
 */
import { PROBLEM_CONTENT_TYPE } from '@policy-gateway/gateway-contract';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/settings.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';

const PROBLEM_TYPE = new RegExp(`^${PROBLEM_CONTENT_TYPE.replace('+', '\\+')}(;|$)`);

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((t) => t.app.close()));
});

/** Entries of about 10 KB each, their prompts dwarfing the rest. */
const large = (minute: number) =>
  auditEntry(minute, {
    input: { prompt: `${minute} ${'x'.repeat(10_000)}`, user_id: 'alice', context: {} },
  });

async function gateway(
  settings: { auditPageMaxBytes?: number; cursorSecret?: string } = {},
  store = createMemoryStore(100),
): Promise<TestApp> {
  const t = await buildTestApp({ store, settings });
  apps.push(t);
  return t;
}

async function page(t: TestApp, query: string) {
  const response = await t.app.inject({ method: 'GET', url: `/governance/audit?${query}` });
  return {
    status: response.statusCode,
    type: response.headers['content-type'],
    body: response.json(),
  };
}

describe('audit pages bounded in bytes', () => {
  it('ends a page early with a next_cursor once its entries would pass the byte budget', async () => {
    const t = await gateway({ auditPageMaxBytes: 25_000 });
    for (let minute = 0; minute < 5; minute += 1) await t.store.repository.append(large(minute));
    const first = await page(t, 'limit=1000');
    expect(first.status).toBe(200);
    expect(first.body.entries.map((e: { decision_id: string }) => e.decision_id)).toEqual([
      'decision-4',
      'decision-3',
    ]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next = await page(t, `limit=1000${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(next.status).toBe(200);
      expect(JSON.stringify(next.body.entries).length).toBeLessThan(25_000 + 2_000);
      seen.push(...next.body.entries.map((e: { decision_id: string }) => e.decision_id));
      cursor = next.body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual(['decision-4', 'decision-3', 'decision-2', 'decision-1', 'decision-0']);
  });

  it('sends an entry larger than the whole budget alone on its page', async () => {
    const t = await gateway({ auditPageMaxBytes: 1024 });
    for (let minute = 0; minute < 2; minute += 1) await t.store.repository.append(large(minute));
    const first = await page(t, 'limit=10');
    expect(first.body.entries).toHaveLength(1);
    const second = await page(t, `limit=10&cursor=${first.body.next_cursor}`);
    expect(second.body.entries).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
  });

  it('fills a page of small entries up to its limit', async () => {
    const t = await gateway({ auditPageMaxBytes: 1_048_576 });
    for (let minute = 0; minute < 30; minute += 1) {
      await t.store.repository.append(auditEntry(minute));
    }
    const { body } = await page(t, 'limit=20');
    expect(body.entries).toHaveLength(20);
    expect(body.next_cursor).toEqual(expect.any(String));
  });
});

describe('signed cursors', () => {
  const SECRET = 'the secret every replica of this trail shares';

  async function firstCursor(t: TestApp): Promise<string> {
    for (let minute = 0; minute < 3; minute += 1) {
      await t.store.repository.append(auditEntry(minute));
    }
    const { body } = await page(t, 'limit=1');
    return body.next_cursor as string;
  }

  it('takes its key from POLICY_GATEWAY_CURSOR_SECRET, refusing one under 32 characters', () => {
    expect(loadSettings({ POLICY_GATEWAY_CURSOR_SECRET: SECRET }, '/srv').cursorSecret).toBe(
      SECRET,
    );
    expect(() => loadSettings({ POLICY_GATEWAY_CURSOR_SECRET: 'short' }, '/srv')).toThrow(
      /^POLICY_GATEWAY_CURSOR_SECRET is too short \(5 characters\): expected at least 32/,
    );
  });

  it('draws a random key per process when none is set', () => {
    const a = loadSettings({}, '/srv').cursorSecret;
    expect(a.length).toBeGreaterThanOrEqual(32);
    expect(loadSettings({}, '/srv').cursorSecret).not.toBe(a);
  });

  it('accepts a cursor issued by another gateway with the same secret, as a replica would', async () => {
    const store = createMemoryStore(100);
    const a = await gateway({ cursorSecret: SECRET }, store);
    const b = await gateway({ cursorSecret: SECRET }, store);
    const cursor = await firstCursor(a);
    const next = await page(b, `limit=1&cursor=${cursor}`);
    expect(next.status).toBe(200);
    expect(next.body.entries[0].decision_id).toBe('decision-1');
  });

  it('refuses a cursor issued under another secret with 400 INVALID_CURSOR', async () => {
    const store = createMemoryStore(100);
    const a = await gateway({ cursorSecret: SECRET }, store);
    const b = await gateway({ cursorSecret: 'another secret of at least 32 chars' }, store);
    const refused = await page(b, `limit=1&cursor=${await firstCursor(a)}`);
    expect(refused.status).toBe(400);
    expect(refused.type).toMatch(PROBLEM_TYPE);
    expect(refused.body).toMatchObject({ code: 'INVALID_CURSOR', field: 'cursor' });
    expect(refused.body.detail).toMatch(/signed with another key/);
  });

  it.each([
    {
      note: 'one character of its position changed',
      alter: (c: string) => `${c.slice(0, 8)}${c[8] === 'A' ? 'B' : 'A'}${c.slice(9)}`,
    },
    {
      note: 'one character of its signature changed',
      alter: (c: string) => `${c.slice(0, -1)}${c.endsWith('A') ? 'B' : 'A'}`,
    },
    { note: 'its signature removed', alter: (c: string) => c.slice(0, c.lastIndexOf('.')) },
    {
      note: 'a well-formed position with the signature of another',
      alter: (c: string) =>
        `${Buffer.from('v1|2026-11-28T07:00:00.000000Z|01900000-0000-7000-8000-000000000000').toString('base64url')}${c.slice(c.lastIndexOf('.'))}`,
    },
  ])('refuses a cursor with $note as 400 INVALID_CURSOR', async ({ alter }) => {
    const t = await gateway({ cursorSecret: SECRET });
    const refused = await page(t, `limit=1&cursor=${alter(await firstCursor(t))}`);
    expect(refused.status).toBe(400);
    expect(refused.type).toMatch(PROBLEM_TYPE);
    expect(refused.body).toMatchObject({ code: 'INVALID_CURSOR', field: 'cursor' });
  });
});
