/**
 * Whether a stored checkpoint can be believed: signed by a trusted key, its signature good
 * over its payload, and its columns saying what the payload says. The trusted keys are the
 * ones given (`--public-key FILE`) or the store's own, each known by the id recomputed from
 * the key itself, so that a key table edited to hold another key under an old id is caught.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { parseAuditCheckpointPayload } from './audit-checkpoint-payload.js';
import type { StoredAuditCheckpoint, StoredSigningKey } from './audit-trail-reader.js';

export type CheckpointOutcome =
  | { readonly kind: 'valid' }
  | { readonly kind: 'bad-signature' | 'unknown-key'; readonly message: string };

export type CheckpointCheck = (checkpoint: StoredAuditCheckpoint) => CheckpointOutcome;

/** A public key the verifier trusts, under the id computed from it. */
export interface TrustedSigningKey {
  readonly keyId: string;
  readonly key: KeyObject;
}

/** `key_id`: the first 16 bytes, hex, of the SHA-256 of the public key's DER (SPKI). */
export function publicKeyId(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 32);
}

/** Every public key in a PEM text (one or several `BEGIN PUBLIC KEY` blocks). */
export function publicKeysFromPem(pem: string): TrustedSigningKey[] {
  const blocks = pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  return blocks.map((block) => {
    const key = createPublicKey(block);
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new TypeError(`not an Ed25519 public key (${key.asymmetricKeyType})`);
    }
    return { keyId: publicKeyId(key), key };
  });
}

/**
 * The store's keys as trusted keys, each under the id its PEM computes to. A row whose
 * stored id differs from its key's is left out and listed in `mismatched`: checkpoints
 * naming that id then meet no key, and the problem says why.
 */
export function trustStoredKeys(stored: readonly StoredSigningKey[]): {
  readonly trusted: TrustedSigningKey[];
  readonly mismatched: ReadonlySet<string>;
} {
  const trusted: TrustedSigningKey[] = [];
  const mismatched = new Set<string>();
  for (const row of stored) {
    let keys: TrustedSigningKey[];
    try {
      keys = publicKeysFromPem(row.publicKeyPem);
    } catch {
      mismatched.add(row.keyId);
      continue;
    }
    for (const key of keys) {
      if (key.keyId === row.keyId) trusted.push(key);
      else mismatched.add(row.keyId);
    }
  }
  return { trusted, mismatched };
}

export interface CheckpointCheckOptions {
  readonly trusted: readonly TrustedSigningKey[];
  /** Key ids the store lists with a key that is not theirs (an edited key table). */
  readonly mismatched?: ReadonlySet<string>;
  /** Where the trusted keys came from, for messages: `the store` or a file name. */
  readonly source: string;
}

/** The members of the signed payload that the columns repeat. */
const SIGNED_MEMBERS: readonly [keyof StoredAuditCheckpoint, string][] = [
  ['id', 'id'],
  ['chainId', 'chain_id'],
  ['seq', 'chain_seq'],
  ['entryHash', 'entry_hash'],
  ['prevCheckpointId', 'prev_checkpoint_id'],
  ['prevCheckpointHash', 'prev_checkpoint_hash'],
  ['keyId', 'key_id'],
  ['final', 'final'],
];

export function checkpointCheck(options: CheckpointCheckOptions): CheckpointCheck {
  const keys = new Map(options.trusted.map((key) => [key.keyId, key.key]));
  return (checkpoint) => {
    const name = `checkpoint ${checkpoint.id} (chain ${checkpoint.chainId}, seq ${checkpoint.seq})`;
    const key = keys.get(checkpoint.keyId);
    if (key === undefined) {
      const why = options.mismatched?.has(checkpoint.keyId)
        ? `the public key stored under ${checkpoint.keyId} is not that key (the key table was edited)`
        : `key ${checkpoint.keyId} is not among the trusted public keys (${options.source})`;
      return { kind: 'unknown-key', message: `${name} is signed by an unknown key: ${why}` };
    }
    const payload = Buffer.from(checkpoint.payload, 'utf8');
    let good = false;
    try {
      good = verify(null, payload, key, Buffer.from(checkpoint.signature, 'base64'));
    } catch {
      good = false;
    }
    if (!good) {
      return {
        kind: 'bad-signature',
        message: `${name}: the signature does not verify with key ${checkpoint.keyId} (the checkpoint was altered or forged)`,
      };
    }
    if (createHash('sha256').update(payload).digest('hex') !== checkpoint.checkpointHash) {
      return {
        kind: 'bad-signature',
        message: `${name}: its checkpoint hash is not the hash of what was signed`,
      };
    }
    const differs = differingMember(checkpoint);
    if (differs !== undefined) {
      return {
        kind: 'bad-signature',
        message: `${name}: its ${differs} differs from what was signed (the row was altered)`,
      };
    }
    return { kind: 'valid' };
  };
}

function differingMember(checkpoint: StoredAuditCheckpoint): string | undefined {
  const signed = parseAuditCheckpointPayload(checkpoint.payload);
  if (typeof signed === 'string') return `payload (${signed})`;
  const members = signed as unknown as Readonly<Record<string, unknown>>;
  for (const [field, member] of SIGNED_MEMBERS) {
    if (members[member] !== checkpoint[field]) return member;
  }
  return undefined;
}
