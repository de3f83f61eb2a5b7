import { afterEach, describe, expect, it } from 'vitest';
import { auditEntry } from './support/audit-entry-fixture.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';
import { FailingRepository, failingStore } from './support/failing-repository.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function appWith(count: number, tweak = (_minute: number) => ({})): Promise<TestApp> {
  current = await buildTestApp();
  for (let minute = 0; minute < count; minute += 1) {
    await current.store.repository.append(auditEntry(minute, tweak(minute)));
  }
  return current;
}

async function get(t: TestApp, url: string) {
  const response = await t.app.inject({ method: 'GET', url });
  return {
    status: response.statusCode,
    type: response.headers['content-type'],
    body: response.json(),
  };
}

describe('GET /governance/audit', () => {
  it('lists 50 entries by default, newest first, as flat snake_case JSON', async () => {
    const t = await appWith(55);
    const { status, body } = await get(t, '/governance/audit');
    expect(status).toBe(200);
    expect(body.entries).toHaveLength(50);
    expect(body.entries[0].decision_id).toBe('decision-54');
    expect(body.entries[49].decision_id).toBe('decision-5');
    expect(Object.keys(body.entries[0]).sort()).toEqual(
      [
        'id',
        'decision_id',
        'occurred_at',
        'user_id',
        'principal_id',
        'action',
        'decision',
        'reasons',
        'policy_path',
        'policy_version',
        'policy_engine',
        'input',
        'result',
        'error',
        'latency_ms',
        'request_id',
        'client_request_id',
        'client_address',
        'user_agent',
        'gateway_instance',
        'idempotency_key',
        'request_digest',
        'chain',
        'masking',
        'sealed_original',
        'sealed_original_state',
        'shadow',
        'enforced',
      ].sort(),
    );
    expect(body.entries[0]).toMatchObject({
      occurred_at: '2026-11-28T07:54:00.000000Z',
      user_id: 'alice',
      input: { prompt: 'prompt 54', user_id: 'alice', context: {} },
      request_id: 'req-54',
      client_request_id: 'client-req-54',
      gateway_instance: 'gw-1',
    });
    expect(typeof body.next_cursor).toBe('string');
  });

  it('pages through every entry exactly once with next_cursor, ending with null', async () => {
    const t = await appWith(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const { body } = await get(t, `/governance/audit?limit=3${query}`);
      seen.push(...body.entries.map((e: { decision_id: string }) => e.decision_id));
      cursor = body.next_cursor;
    } while (cursor !== null);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((m) => `decision-${m}`));
  });

  const filters = [
    { note: 'user_id', query: 'user_id=bob', expected: [5, 3, 1] },
    { note: 'decision', query: 'decision=deny', expected: [4, 2, 0] },
    { note: 'decision_id', query: 'decision_id=decision-3', expected: [3] },
    { note: 'policy', query: 'policy=data.other.decision', expected: [5] },
    { note: 'since (inclusive)', query: 'since=2026-11-28T07:04:00Z', expected: [5, 4] },
    {
      note: 'until (exclusive, with an offset)',
      query: 'until=2026-11-28T08:02:00%2B01:00',
      expected: [1, 0],
    },
    {
      note: 'several filters together',
      query: 'user_id=bob&since=2026-11-28T07:02:00Z',
      expected: [5, 3],
    },
  ];
  for (const { note, query, expected } of filters) {
    it(`filters by ${note}`, async () => {
      const t = await appWith(6, (minute) => ({
        userId: minute % 2 === 1 ? 'bob' : 'alice',
        decision: minute % 2 === 0 ? 'deny' : 'allow',
        policyPath: minute === 5 ? 'data.other.decision' : 'data.policy_gateway.decision',
      }));
      const { status, body } = await get(t, `/governance/audit?${query}`);
      expect(status).toBe(200);
      expect(body.entries.map((e: { decision_id: string }) => e.decision_id)).toEqual(
        expected.map((m) => `decision-${m}`),
      );
    });
  }

  const bad = [
    { note: 'a limit of 0', query: 'limit=0', code: 'INVALID_QUERY_PARAMETER', field: 'limit' },
    {
      note: 'a limit over 1000',
      query: 'limit=1001',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'limit',
    },
    {
      note: 'a limit that is not a number',
      query: 'limit=ten',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'limit',
    },
    ...['1e1', '0x10', '5.0', '+5', '%205', '5%20', '1_0', ''].map((limit) => ({
      note: `a limit written as ${JSON.stringify(decodeURIComponent(limit))}, not in decimal digits`,
      query: `limit=${limit}`,
      code: 'INVALID_QUERY_PARAMETER',
      field: 'limit',
    })),
    {
      note: 'an unknown parameter',
      query: 'offset=10',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'offset',
    },
    {
      note: 'a repeated parameter',
      query: 'user_id=a&user_id=b',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'user_id',
    },
    {
      note: 'an unknown decision',
      query: 'decision=maybe',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'decision',
    },
    {
      note: 'a since that is not RFC 3339',
      query: 'since=yesterday',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'since',
    },
    {
      note: 'an until without a time zone',
      query: 'until=2026-11-28T07:00:00',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'until',
    },
    {
      note: 'a cursor it did not issue',
      query: 'cursor=bm90LWEtY3Vyc29y',
      code: 'INVALID_CURSOR',
      field: 'cursor',
    },
    {
      note: 'a user_id with U+0000, which no stored entry can hold',
      query: 'user_id=a%00b',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'user_id',
    },
    {
      note: 'a policy with U+0000',
      query: 'policy=data.x%00',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'policy',
    },
    {
      note: 'an empty user_id',
      query: 'user_id=',
      code: 'INVALID_QUERY_PARAMETER',
      field: 'user_id',
    },
  ];
  for (const c of bad) {
    it(`rejects ${c.note} with a 400 problem naming ${c.field}`, async () => {
      const t = await appWith(1);
      const { status, type, body } = await get(t, `/governance/audit?${c.query}`);
      expect(status).toBe(400);
      expect(type).toContain('application/problem+json');
      expect(body).toMatchObject({ status: 400, code: c.code, field: c.field });
      expect(body.detail).toContain(c.field);
    });
  }

  it('reads a limit in decimal digits, leading zeros included', async () => {
    const t = await appWith(3);
    const { status, body } = await get(t, '/governance/audit?limit=02');
    expect(status).toBe(200);
    expect(body.entries).toHaveLength(2);
    const refused = await get(t, '/governance/audit?limit=1e1');
    expect(refused.body.detail).toBe('query parameter limit must be an integer');
  });

  it('answers 503 problem when the store cannot be read', async () => {
    current = await buildTestApp({ store: failingStore(new FailingRepository(true)) });
    const { status, body } = await get(current, '/governance/audit');
    expect(status).toBe(503);
    expect(body.code).toBe('AUDIT_STORE_UNAVAILABLE');
  });
});

describe('GET /governance/audit/:id', () => {
  it('returns the entry with that id', async () => {
    const t = await appWith(0);
    const entry = auditEntry(3);
    await t.store.repository.append(entry);
    const { status, body } = await get(t, `/governance/audit/${entry.id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: entry.id, decision_id: 'decision-3', request_id: 'req-3' });
  });

  it('answers 404 problem for an id no entry has', async () => {
    const t = await appWith(1);
    const { status, type, body } = await get(
      t,
      '/governance/audit/0192f6a0-0000-7000-8000-000000000000',
    );
    expect(status).toBe(404);
    expect(type).toContain('application/problem+json');
    expect(body.code).toBe('NOT_FOUND');
  });

  it('answers 400 problem for an id that is not a UUID', async () => {
    const t = await appWith(1);
    const { status, body } = await get(t, '/governance/audit/42');
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'INVALID_ID', field: 'id' });
  });
});
