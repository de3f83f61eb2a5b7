import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeEntry } from '../testing/audit-log-entry-fixtures.js';
import {
  auditEntryDigest,
  auditEntryDigestPreimage,
  auditEntryHash,
  auditEntryHashPreimage,
  auditLinkHash,
  chainGenesisHash,
} from './audit-entry-hash.js';
import type { AuditLogEntry } from './audit-log-entry.js';
import { toStorableAuditLogEntry } from './storable-audit-log-entry.js';

const chainId = '01900000-0000-7000-8000-00000000c4a1';
const position = { chainId, seq: 7, prevHash: 'ab'.repeat(32) };

describe('auditEntryHash', () => {
  it('digests the documented preimage: RFC 8785 JSON of v, chain_id, chain_seq, prev_hash and the digest of the entry in snake_case', () => {
    const entry = toStorableAuditLogEntry(
      makeEntry({
        id: '01900000-0000-7000-8000-000000000001',
        decisionId: 'd-1',
        input: { z: 1, a: [true, null, 'é'] },
        latencyMs: 1.5,
      }),
    );
    const fields = auditEntryDigestPreimage(entry);
    expect(
      fields.startsWith(
        '{"action":"policy.evaluate","client_address":"127.0.0.1","client_request_id":"client-req-1","decision":"allow","decision_id":"d-1","error":null,',
      ),
    ).toBe(true);
    expect(fields).toContain('"input":{"a":[true,null,"é"],"z":1}');
    expect(fields).toContain('"latency_ms":1.5');
    const digest = createHash('sha256').update(fields, 'utf8').digest('hex');
    expect(auditEntryDigest(entry)).toBe(digest);
    const preimage = auditEntryHashPreimage(entry, position);
    expect(preimage).toBe(
      `{"chain_id":"01900000-0000-7000-8000-00000000c4a1","chain_seq":7,"entry_digest":"${digest}","prev_hash":"${'ab'.repeat(32)}","v":1}`,
    );
    expect(auditEntryHash(entry, position)).toBe(
      createHash('sha256').update(preimage, 'utf8').digest('hex'),
    );
    expect(auditLinkHash(digest, position)).toBe(auditEntryHash(entry, position));
  });

  it('does not depend on the order of JSON members, and leaves the chain link itself out', () => {
    const a = toStorableAuditLogEntry(makeEntry({ input: { a: 1, b: { c: 2, d: 3 } } }));
    const b = { ...a, input: { b: { d: 3, c: 2 }, a: 1 } };
    const chained = { ...a, chain: { ...position, entryHash: 'cd'.repeat(32) } };
    expect(auditEntryHash(b, position)).toBe(auditEntryHash(a, position));
    expect(auditEntryHash(chained, position)).toBe(auditEntryHash(a, position));
  });

  it('changes when any stored field, the seq, the chain or the previous hash changes', () => {
    const entry = toStorableAuditLogEntry(
      makeEntry({ idempotencyKey: 'k', requestDigest: 'sha256:00' }),
    );
    const base = auditEntryHash(entry, position);
    const altered: Record<string, unknown> = {
      id: '01900000-0000-7000-8000-0000000000ff',
      decisionId: 'other',
      occurredAt: '2026-11-28T07:00:00.000001Z',
      userId: 'mallory',
      principalId: 'key:mallory',
      action: 'other',
      decision: 'deny',
      reasons: [{ code: 'x', message: 'y', severity: 'low' }],
      policyPath: 'data.other',
      policyVersion: 'sha256:ff',
      policyEngine: 'opa',
      input: { prompt: 'hello!' },
      result: null,
      error: 'boom',
      latencyMs: 0.26,
      requestId: null,
      clientRequestId: null,
      clientAddress: '10.0.0.1',
      userAgent: 'x',
      gatewayInstance: 'other:2',
      idempotencyKey: 'k2',
      requestDigest: 'sha256:01',
    };
    // Every field of the entry is listed above: a new field must be added here too.
    expect(Object.keys(altered).sort()).toEqual(Object.keys(entry).sort());
    for (const [field, value] of Object.entries(altered)) {
      const changed = { ...entry, [field]: value } as AuditLogEntry;
      expect(auditEntryHash(changed, position), field).not.toBe(base);
    }
    // A field added to the type later is hashed without a change to the function.
    expect(
      auditEntryHash({ ...entry, principal: { subject: 'a' } } as AuditLogEntry, position),
    ).not.toBe(base);
    expect(auditEntryHash(entry, { ...position, seq: 8 })).not.toBe(base);
    expect(auditEntryHash(entry, { ...position, prevHash: 'ac'.repeat(32) })).not.toBe(base);
    expect(
      auditEntryHash(entry, { ...position, chainId: '01900000-0000-7000-8000-00000000c4a2' }),
    ).not.toBe(base);
  });

  it('links seq 1 to the hex SHA-256 of policy-gateway/chain/v1/<chain_id>', () => {
    expect(chainGenesisHash(chainId)).toBe(
      createHash('sha256').update(`policy-gateway/chain/v1/${chainId}`).digest('hex'),
    );
    expect(chainGenesisHash(chainId.toUpperCase())).toBe(chainGenesisHash(chainId));
  });
});
