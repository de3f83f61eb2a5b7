// The service keeps the HTTP contract the Workbench reads it by (`@policy-gateway/gateway-contract`):
// the audit mapping covers every field on both sides, and every answer, a decision or a problem,
// validates against the contract's schema for it and carries no member the schema does not name.
import { isDeepStrictEqual } from 'node:util';
import {
  AuditEntrySchema,
  AuditPageSchema,
  AuthConfigSchema,
  AuthPrincipalSchema,
  EvaluateResultSchema,
  HealthStatusSchema,
  PROBLEM_CONTENT_TYPE,
  ProblemDetailsSchema,
  ReadyStatusSchema,
} from '@policy-gateway/gateway-contract';
import type { TSchema } from '@sinclair/typebox';
import { Errors } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { toAuditEntryJson } from '../src/api/audit-api-mapper.js';
import type { AuthenticationOptions } from '../src/api/authentication.js';
import type { AuditStore } from '../src/store/audit-store.js';
import { createMemoryStore } from '../src/store/memory-store.js';
import { auditEntry } from './support/audit-entry-fixture.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';
import {
  bearer,
  FixedPrincipalAuthenticator,
  keyPrincipal,
} from './support/fixed-principal-authenticator.js';

/** An entry whose fields all hold different values, so that a mix-up between two shows. */
const DISTINCT = auditEntry(1, {
  decision: 'deny',
  reasons: [{ code: 'pii.email', message: 'An e-mail address.', severity: 'medium' }],
  input: { prompt: 'mail me' },
  result: { allow: false },
  error: 'no error, just distinct',
  latencyMs: 1.25,
  requestId: 'req-distinct',
  clientRequestId: 'client-req-distinct',
  clientAddress: '10.1.2.3',
  userAgent: 'agent-distinct',
  gatewayInstance: 'gw-distinct',
  idempotencyKey: 'key-distinct',
  requestDigest: 'sha256:distinct',
  chain: {
    chainId: '0193a6f2-2222-7abc-8def-000000000002',
    seq: 7,
    prevHash: 'a'.repeat(64),
    entryHash: 'b'.repeat(64),
  },
  masking: {
    erased: ['/input/context/ssn'],
    masked: [],
    redacted: [{ code: 'pii.email', count: 1 }],
  },
  sealedOriginal: { v: 1, key_id: 'key-distinct', iv: 'aXYtZGlzdGluY3Q=', ciphertext: 'Y2lwaGVy' },
  shadow: {
    decision: 'allow',
    reasons: [],
    policy_version: 'shadow-distinct',
    latency_ms: 2.5,
    error: null,
  },
  enforced: false,
});

describe('toAuditEntryJson', () => {
  it('writes the members in the order of the contract schema', () => {
    expect(Object.keys(toAuditEntryJson(DISTINCT))).toEqual(
      Object.keys(AuditEntrySchema.properties),
    );
  });

  it('carries each domain field into exactly one member, so none is dropped or duplicated', () => {
    // `sealed_original_state` is told when the entry is served, from no domain field.
    const { sealed_original_state: told, ...mapped } = toAuditEntryJson(DISTINCT, 'erased');
    expect(told).toBe('erased');
    const members = Object.values(mapped);
    expect(members).toHaveLength(Object.keys(DISTINCT).length);
    const { chain, ...flat } = DISTINCT;
    for (const [field, value] of Object.entries(flat)) {
      const carriers = members.filter((member) => isDeepStrictEqual(member, value));
      expect(carriers, field).toHaveLength(1);
    }
    // The chain link is one member, its fields in the contract's spelling.
    expect(toAuditEntryJson(DISTINCT).chain).toEqual({
      chain_id: chain?.chainId,
      seq: chain?.seq,
      prev_hash: chain?.prevHash,
      entry_hash: chain?.entryHash,
    });
  });

  it("says a sealed original's state is unknown unless told, and null without a sealed original", () => {
    expect(toAuditEntryJson(DISTINCT).sealed_original_state).toBe('unknown');
    const { sealedOriginal: _, ...unsealed } = DISTINCT;
    expect(toAuditEntryJson(unsealed, 'erased').sealed_original_state).toBeNull();
  });

  it('produces an entry the contract accepts, with and without the nullable fields', () => {
    const bare = auditEntry(2, {
      requestId: null,
      clientRequestId: null,
      clientAddress: null,
      userAgent: null,
    });
    expect(Check(AuditEntrySchema, toAuditEntryJson(DISTINCT))).toBe(true);
    expect(Check(AuditEntrySchema, toAuditEntryJson(bare))).toBe(true);
  });
});

/** Members of `value` that `schema` does not name, as JSON Pointers (none where it allows extras). */
function undeclaredMembers(schema: TSchema, value: unknown, at = ''): string[] {
  if (Array.isArray(value) && schema.items !== undefined) {
    return value.flatMap((item, index) => undeclaredMembers(schema.items, item, `${at}/${index}`));
  }
  if (value === null || typeof value !== 'object' || schema.properties === undefined) return [];
  return Object.entries(value).flatMap(([key, member]) => {
    const property = schema.properties[key] as TSchema | undefined;
    if (property === undefined) return schema.additionalProperties === true ? [] : [`${at}/${key}`];
    return undeclaredMembers(property, member, `${at}/${key}`);
  });
}

const AUTH_ON: AuthenticationOptions = {
  mode: { mode: 'on', unsafe: false },
  authenticators: {
    test: new FixedPrincipalAuthenticator({ auditor: keyPrincipal('reader', ['auditor']) }),
  },
};

function unreachableStore(): AuditStore {
  return {
    ...createMemoryStore(10),
    backend: 'postgres',
    durable: true,
    check: async () => ({ reachable: false, schema: 'unknown', problem: 'ECONNREFUSED' }),
  };
}

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

describe('answers checked against the contract', () => {
  const stored = auditEntry(3, { requestId: null, userAgent: null });
  const cases = [
    { note: 'GET /health', url: '/health', status: 200, schema: HealthStatusSchema },
    { note: 'GET /ready when ready', url: '/ready', status: 200, schema: ReadyStatusSchema },
    {
      note: 'GET /ready when the store is unreachable',
      url: '/ready',
      store: unreachableStore,
      status: 503,
      schema: ReadyStatusSchema,
    },
    {
      note: 'an allowed prompt',
      method: 'POST' as const,
      url: '/policy/evaluate',
      payload: { prompt: 'hello', user_id: 'alice', context: { app: 'chat' } },
      status: 200,
      schema: EvaluateResultSchema,
    },
    {
      note: 'a denied prompt',
      method: 'POST' as const,
      url: '/policy/evaluate',
      payload: { prompt: 'my SECRET', user_id: 'alice' },
      status: 200,
      schema: EvaluateResultSchema,
    },
    {
      note: 'a failed evaluation',
      method: 'POST' as const,
      url: '/policy/evaluate',
      payload: { prompt: 'FAIL', user_id: 'alice' },
      status: 503,
      schema: ProblemDetailsSchema,
    },
    {
      note: 'a body missing a field',
      method: 'POST' as const,
      url: '/policy/evaluate',
      payload: { prompt: 'hello' },
      status: 400,
      schema: ProblemDetailsSchema,
    },
    { note: 'the audit list', url: '/governance/audit', status: 200, schema: AuditPageSchema },
    {
      note: 'an unknown query parameter',
      url: '/governance/audit?colour=red',
      status: 400,
      schema: ProblemDetailsSchema,
    },
    {
      note: 'one audit entry',
      url: `/governance/audit/${stored.id}`,
      status: 200,
      schema: AuditEntrySchema,
    },
    {
      note: 'an id no entry has',
      url: '/governance/audit/0193a6f2-0000-7000-8000-000000000000',
      status: 404,
      schema: ProblemDetailsSchema,
    },
    {
      note: 'the sign-in configuration',
      url: '/auth/config',
      status: 200,
      schema: AuthConfigSchema,
    },
    { note: 'the anonymous caller', url: '/auth/me', status: 200, schema: AuthPrincipalSchema },
    {
      note: '/ready to a stranger with authentication on',
      url: '/ready',
      authentication: AUTH_ON,
      status: 200,
      schema: ReadyStatusSchema,
    },
    {
      note: '/ready to a known caller with authentication on',
      url: '/ready',
      headers: bearer('auditor'),
      authentication: AUTH_ON,
      status: 200,
      schema: ReadyStatusSchema,
    },
    {
      note: 'an authenticated caller',
      url: '/auth/me',
      headers: bearer('auditor'),
      authentication: AUTH_ON,
      status: 200,
      schema: AuthPrincipalSchema,
    },
    {
      note: 'a request without credentials',
      url: '/governance/audit',
      authentication: AUTH_ON,
      status: 401,
      schema: ProblemDetailsSchema,
    },
    {
      note: 'a caller without the role',
      method: 'POST' as const,
      url: '/policy/evaluate',
      payload: { prompt: 'hello', user_id: 'alice' },
      headers: bearer('auditor'),
      authentication: AUTH_ON,
      status: 403,
      schema: ProblemDetailsSchema,
    },
  ];
  for (const {
    note,
    method,
    url,
    payload,
    store,
    status,
    schema,
    headers,
    authentication,
  } of cases) {
    it(`answers ${note} as the contract says`, async () => {
      current = await buildTestApp({
        ...(store === undefined ? {} : { store: store() }),
        ...(authentication === undefined ? {} : { authentication }),
      });
      await current.store.repository.append(stored);
      const response = await current.app.inject({
        method: method ?? 'GET',
        url,
        ...(payload === undefined ? {} : { payload }),
        ...(headers === undefined ? {} : { headers }),
      });
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toContain(
        schema === ProblemDetailsSchema ? PROBLEM_CONTENT_TYPE : 'application/json',
      );
      const body: unknown = response.json();
      expect([...Errors(schema, body)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
      expect(Check(schema, body)).toBe(true);
      expect(undeclaredMembers(schema, body)).toEqual([]);
    });
  }
});
