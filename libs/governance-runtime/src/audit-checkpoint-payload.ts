/**
 * What a checkpoint signs: the one layout the checkpoint writer produces and every verifier
 * (the store walk, a proof checked offline) reads. The payload is the RFC 8785 canonical JSON
 * of the members below; the signature is Ed25519 (node's `crypto`) over its UTF-8 bytes,
 * base64; `checkpoint_hash` is its hex SHA-256, which the next checkpoint of the chain names
 * (`prev_checkpoint_hash`) so that a removed or replaced checkpoint breaks the sequence.
 *
 * @example
 * const signed = signAuditCheckpoint(payload, privateKey);
 * // store signed.payload, signed.checkpointHash, signed.signature beside the members
 */
import { createHash, type KeyObject, sign } from 'node:crypto';
import canonicalize from 'canonicalize';

export const AUDIT_CHECKPOINT_PAYLOAD_VERSION = 1;

export interface AuditCheckpointPayload {
  readonly v: typeof AUDIT_CHECKPOINT_PAYLOAD_VERSION;
  /** The checkpoint's id, a UUID. */
  readonly id: string;
  readonly chain_id: string;
  /** The seq of the chain's head it signs. */
  readonly chain_seq: number;
  /** The head entry's `entry_hash`. */
  readonly entry_hash: string;
  /** The chain's previous checkpoint, null for its first. */
  readonly prev_checkpoint_id: string | null;
  readonly prev_checkpoint_hash: string | null;
  /** First 16 bytes, hex, of the SHA-256 of the signing public key's DER (SPKI). */
  readonly key_id: string;
  /** RFC 3339, as `auditTimestampNow` writes it. */
  readonly created_at: string;
  /** The gateway process that signed it (which may not be the chain's writer: a seal after recovery). */
  readonly instance: string;
  /** Why it was made: `entries`, `interval`, `final`, `recovery`. */
  readonly reason: string;
  /** True when the chain's writer closed it: no entry may follow. */
  readonly final: boolean;
}

export interface SignedAuditCheckpoint {
  readonly payload: string;
  readonly checkpointHash: string;
  readonly signature: string;
}

/** The canonical text of a payload. */
export function auditCheckpointPayloadText(payload: AuditCheckpointPayload): string {
  const text = canonicalize(payload);
  if (text === undefined) throw new TypeError('a checkpoint payload has no canonical JSON form');
  return text;
}

export function signAuditCheckpoint(
  payload: AuditCheckpointPayload,
  privateKey: KeyObject,
): SignedAuditCheckpoint {
  const text = auditCheckpointPayloadText(payload);
  const bytes = Buffer.from(text, 'utf8');
  return {
    payload: text,
    checkpointHash: createHash('sha256').update(bytes).digest('hex'),
    signature: sign(null, bytes, privateKey).toString('base64'),
  };
}

/** The payload's members, or a sentence saying why the text is not a payload. */
export function parseAuditCheckpointPayload(text: string): AuditCheckpointPayload | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the checkpoint payload is not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'the checkpoint payload is not an object';
  const p = value as Record<string, unknown>;
  const strings = ['id', 'chain_id', 'entry_hash', 'key_id', 'created_at', 'instance', 'reason'];
  for (const member of strings) {
    if (typeof p[member] !== 'string') return `the checkpoint payload lacks ${member}`;
  }
  if (p.v !== AUDIT_CHECKPOINT_PAYLOAD_VERSION) return 'the checkpoint payload is not version 1';
  if (!Number.isSafeInteger(p.chain_seq)) return 'the checkpoint payload lacks chain_seq';
  if (typeof p.final !== 'boolean') return 'the checkpoint payload lacks final';
  for (const member of ['prev_checkpoint_id', 'prev_checkpoint_hash']) {
    if (p[member] !== null && typeof p[member] !== 'string') {
      return `the checkpoint payload's ${member} is neither null nor text`;
    }
  }
  return p as unknown as AuditCheckpointPayload;
}
