import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryAuditCheckpointRepository } from '../adapters/memory/memory-audit-checkpoint-repository.js';
import { MemoryAuditLogEntryRepository } from '../adapters/memory/memory-audit-log-entry-repository.js';
import { makeEntry } from '../testing/audit-log-entry-fixtures.js';
import { parseAuditCheckpointPayload } from './audit-checkpoint-payload.js';
import { generateAuditSigningKey, publicKeyOf } from './audit-signing-key.js';
import type { StoredAuditCheckpoint } from './audit-trail-reader.js';
import { ChainCheckpointer } from './chain-checkpointer.js';
import { HashChainedAuditLog } from './hash-chained-audit-log.js';
import { GENERATED_SIGNING_KEY_FILE, loadAuditSigningKey } from './load-audit-signing-key.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'chain-checkpointer-'));
  dirs.push(dir);
  return dir;
}

function signedBy(checkpoint: StoredAuditCheckpoint, publicKeyPem: string): boolean {
  return verify(
    null,
    Buffer.from(checkpoint.payload, 'utf8'),
    createPublicKey(publicKeyPem),
    Buffer.from(checkpoint.signature, 'base64'),
  );
}

describe('loadAuditSigningKey', () => {
  it('generates a key once, readable by its owner only, and reads the same key on later starts', () => {
    const dataDir = join(scratch(), 'data');
    const first = loadAuditSigningKey({ dataDir });
    expect(first).toMatchObject({ source: 'generated', generatedNow: true });
    expect(statSync(join(dataDir, GENERATED_SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = loadAuditSigningKey({ dataDir });
    expect(again).toMatchObject({ source: 'generated', generatedNow: false });
    expect(again.key.keyId).toBe(first.key.keyId);
    expect(first.key.keyId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("uses the operator's file when given, and says what is wrong with an unusable one", () => {
    const dir = scratch();
    const { key, privateKeyPem } = generateAuditSigningKey();
    writeFileSync(join(dir, 'key.pem'), privateKeyPem);
    const loaded = loadAuditSigningKey({ keyFile: join(dir, 'key.pem'), dataDir: dir });
    expect(loaded).toMatchObject({ source: 'file', generatedNow: false });
    expect(loaded.key.keyId).toBe(key.keyId);
    writeFileSync(join(dir, 'bad.pem'), 'not a key');
    expect(() => loadAuditSigningKey({ keyFile: join(dir, 'bad.pem'), dataDir: dir })).toThrow(
      /bad\.pem is unusable: not a PEM private key/,
    );
    expect(() => loadAuditSigningKey({ keyFile: join(dir, 'none.pem'), dataDir: dir })).toThrow(
      /cannot read the audit signing key .*none\.pem/,
    );
    expect(readFileSync(join(dir, 'key.pem'), 'utf8')).toBe(privateKeyPem);
  });
});

describe('ChainCheckpointer', () => {
  it('signs the head every N entries and once more on close, each naming the one before', async () => {
    const repository = new MemoryAuditCheckpointRepository();
    const { key } = generateAuditSigningKey();
    const checkpointer = new ChainCheckpointer({
      repository,
      key,
      instance: 'test:1',
      everyEntries: 10,
      intervalMs: 0,
    });
    const chain = new HashChainedAuditLog(new MemoryAuditLogEntryRepository(), {
      observer: checkpointer,
    });
    for (let i = 0; i < 25; i += 1) await chain.append(makeEntry());
    await chain.close();
    const checkpoints = await repository.checkpoints(chain.chainId);
    expect(checkpoints.map((c) => [c.seq, c.reason, c.final])).toEqual([
      [10, 'entries', false],
      [20, 'entries', false],
      [25, 'final', true],
    ]);
    expect(checkpoints.map((c) => c.prevCheckpointId)).toEqual([
      null,
      checkpoints[0]!.id,
      checkpoints[1]!.id,
    ]);
    expect(checkpoints[2]!.prevCheckpointHash).toBe(checkpoints[1]!.checkpointHash);
    expect(checkpoints[2]!.entryHash).toBe(chain.head.entryHash);
    for (const checkpoint of checkpoints) {
      expect(signedBy(checkpoint, key.publicKeyPem)).toBe(true);
      expect(parseAuditCheckpointPayload(checkpoint.payload)).toMatchObject({
        chain_id: chain.chainId,
        chain_seq: checkpoint.seq,
        key_id: key.keyId,
        instance: 'test:1',
      });
    }
  });

  it('keeps checkpoints of a rotated-out key verifiable: both public keys stay registered', async () => {
    const repository = new MemoryAuditCheckpointRepository();
    const keys = [generateAuditSigningKey().key, generateAuditSigningKey().key];
    for (const key of keys) {
      await repository.registerSigningKey(publicKeyOf(key));
      const chain = new HashChainedAuditLog(new MemoryAuditLogEntryRepository(), {
        observer: new ChainCheckpointer({ repository, key, instance: 'x', intervalMs: 0 }),
      });
      await chain.append(makeEntry());
      await chain.close();
    }
    const registered = new Map(
      (await repository.signingKeys()).map((k) => [k.keyId, k.publicKeyPem]),
    );
    expect([...registered.keys()]).toEqual(keys.map((k) => k.keyId));
    const checkpoints = await repository.checkpoints();
    expect(checkpoints).toHaveLength(2);
    for (const checkpoint of checkpoints) {
      expect(signedBy(checkpoint, registered.get(checkpoint.keyId)!)).toBe(true);
    }
  });
});
