/**
 * Writes a hash-chained, checkpointed audit trail straight into a migrated database, for the
 * verifier's tamper tests and benchmark: entries chained with the real `auditEntryHash`,
 * stored through the real repository, checkpoints signed with a real Ed25519 key in the
 * layout the checkpoint writer uses. It does what the chain decorator does, without a
 * gateway, so a test controls exactly where each checkpoint falls.
 */
import { generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditLogDatabase } from '../adapters/postgres/audit-log-database.js';
import { PostgresAuditLogEntryRepository } from '../adapters/postgres/postgres-audit-log-entry-repository.js';
import {
  type AuditCheckpointPayload,
  signAuditCheckpoint,
} from '../src/audit-checkpoint-payload.js';
import { auditEntryHash, chainGenesisHash } from '../src/audit-entry-hash.js';
import type { AuditLogEntry } from '../src/audit-log-entry.js';
import { publicKeyId } from '../src/checkpoint-check.js';
import { toStorableAuditLogEntry } from '../src/storable-audit-log-entry.js';
import { at, makeEntry } from './audit-log-entry-fixtures.js';

export interface SigningKeyPair {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicKeyPem: string;
}

export function newSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId: publicKeyId(publicKey),
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Chains entries and signs checkpoints of one chain, as its writer would. */
export class SignedChainFixture {
  readonly chainId: string;
  readonly #db: Kysely<AuditLogDatabase>;
  readonly #repository: PostgresAuditLogEntryRepository;
  #key: SigningKeyPair;
  #seq = 0;
  #head: string;
  #lastCheckpoint: { id: string; hash: string } | null = null;
  /** The entries written, in seq order (storable form, with their link). */
  readonly entries: AuditLogEntry[] = [];

  constructor(db: Kysely<AuditLogDatabase>, key: SigningKeyPair, chainId: string = randomUUID()) {
    this.#db = db;
    this.#repository = new PostgresAuditLogEntryRepository(db);
    this.#key = key;
    this.chainId = chainId;
    this.#head = chainGenesisHash(chainId);
  }

  /** Stores the key in the key table (once per key). */
  async registerKey(key: SigningKeyPair = this.#key): Promise<void> {
    await this.#db
      .insertInto('audit_signing_keys')
      .values({
        key_id: key.keyId,
        algorithm: 'ed25519',
        public_key_pem: key.publicKeyPem,
        first_used_by: 'fixture',
      })
      .onConflict((c) => c.doNothing())
      .execute();
  }

  /** The next entry of the chain, not stored (for a test that forges one). */
  chain(overrides: Partial<AuditLogEntry> = {}): AuditLogEntry {
    const seq = this.#seq + 1;
    const entry = toStorableAuditLogEntry(
      makeEntry({ occurredAt: at(seq * 1000), input: { prompt: `prompt ${seq}` }, ...overrides }),
    );
    const position = { chainId: this.chainId, seq, prevHash: this.#head };
    const chained = {
      ...entry,
      chain: { ...position, entryHash: auditEntryHash(entry, position) },
    };
    this.#seq = seq;
    this.#head = chained.chain.entryHash;
    return chained;
  }

  /** Chains and stores `count` entries, in batches. */
  async append(count: number, batchSize = 500): Promise<AuditLogEntry[]> {
    const written: AuditLogEntry[] = [];
    for (let done = 0; done < count; ) {
      const batch: AuditLogEntry[] = [];
      for (let i = 0; i < batchSize && done < count; i += 1, done += 1) batch.push(this.chain());
      const { results } = await this.#repository.appendMany(batch);
      const refused = results.find((r) => r.status !== 'committed');
      if (refused !== undefined) throw new Error(`fixture entry not committed: ${refused.status}`);
      written.push(...batch);
    }
    this.entries.push(...written);
    return written;
  }

  /** Signs and stores a checkpoint of the head. */
  async checkpoint(options: { final?: boolean; reason?: string } = {}): Promise<string> {
    const id = randomUUID();
    const payload: AuditCheckpointPayload = {
      v: 1,
      id,
      chain_id: this.chainId,
      chain_seq: this.#seq,
      entry_hash: this.#head,
      prev_checkpoint_id: this.#lastCheckpoint?.id ?? null,
      prev_checkpoint_hash: this.#lastCheckpoint?.hash ?? null,
      key_id: this.#key.keyId,
      created_at: at(this.#seq * 1000 + 1),
      instance: 'fixture:1',
      reason: options.reason ?? (options.final ? 'final' : 'entries'),
      final: options.final ?? false,
    };
    await insertCheckpoint(this.#db, payload, this.#key.privateKey);
    const signed = signAuditCheckpoint(payload, this.#key.privateKey);
    this.#lastCheckpoint = { id, hash: signed.checkpointHash };
    return id;
  }

  /** Signs later checkpoints with another key (a rotation). */
  rotateKey(key: SigningKeyPair): void {
    this.#key = key;
  }
}

/** Stores a checkpoint signed with `privateKey`, columns repeating the payload. */
export async function insertCheckpoint(
  db: Kysely<AuditLogDatabase>,
  payload: AuditCheckpointPayload,
  privateKey: KeyObject,
): Promise<void> {
  const signed = signAuditCheckpoint(payload, privateKey);
  await db
    .insertInto('audit_checkpoints')
    .values({
      id: payload.id,
      chain_id: payload.chain_id,
      chain_seq: payload.chain_seq,
      entry_hash: payload.entry_hash,
      prev_checkpoint_id: payload.prev_checkpoint_id,
      prev_checkpoint_hash: payload.prev_checkpoint_hash,
      key_id: payload.key_id,
      created_at: payload.created_at,
      instance: payload.instance,
      reason: payload.reason,
      final: payload.final,
      payload: signed.payload,
      checkpoint_hash: signed.checkpointHash,
      signature: signed.signature,
    })
    .execute();
}
