/**
 * What the records the gateway signs outside the chains have in common (a chain's retention
 * record, a month of the access log removed): a payload in canonical JSON (RFC 8785), its hex
 * SHA-256 and an Ed25519 signature over it with the audit signing key, stored beside the
 * columns the payload repeats. Checking one is checking those three against each other and
 * the signer's public key; each record then compares its own columns with the payload.
 */
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import canonicalize from 'canonicalize';

export interface SignedPayload {
  /** The canonical JSON signed, its hex SHA-256 and the base64 signature over it. */
  readonly payload: string;
  readonly recordHash: string;
  readonly signature: string;
}

export function signPayload(payload: object, privateKey: KeyObject): SignedPayload {
  const text = canonicalize(payload)!;
  return {
    payload: text,
    recordHash: createHash('sha256').update(text, 'utf8').digest('hex'),
    signature: sign(null, Buffer.from(text, 'utf8'), privateKey).toString('base64'),
  };
}

/**
 * The payload `record` signed, or why it cannot be trusted (`name: …`): an unknown key, a
 * payload that is not canonical JSON, a hash or a signature that does not match.
 */
export function checkSignedPayload<Payload>(
  record: SignedPayload & { readonly keyId: string },
  publicKey: KeyObject | undefined,
  name: string,
): { readonly payload: Payload } | { readonly problem: string } {
  if (publicKey === undefined) return { problem: `${name}: unknown signing key ${record.keyId}` };
  let payload: Payload;
  try {
    payload = JSON.parse(record.payload) as Payload;
  } catch {
    return { problem: `${name}: the payload is not JSON` };
  }
  if (canonicalize(payload) !== record.payload) {
    return { problem: `${name}: the payload is not canonical JSON` };
  }
  if (createHash('sha256').update(record.payload, 'utf8').digest('hex') !== record.recordHash) {
    return { problem: `${name}: the record hash does not match its payload` };
  }
  if (!verifiesWith(record, publicKey)) return { problem: `${name}: bad signature` };
  return { payload };
}

function verifiesWith(record: SignedPayload, publicKey: KeyObject): boolean {
  try {
    return verify(
      null,
      Buffer.from(record.payload, 'utf8'),
      publicKey,
      Buffer.from(record.signature, 'base64'),
    );
  } catch {
    return false;
  }
}
