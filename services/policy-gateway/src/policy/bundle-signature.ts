/**
 * Signed bundles, in OPA's format: `.signatures.json` holds `{"signatures": [<JWS>]}`, one
 * compact JWS whose payload lists every file of the bundle with its SHA-256
 * (`{"files": [{"name", "hash", "algorithm"}], "keyid"?, "scope"?}`). A bundle verifies when
 * the JWS verifies under the configured public key (with `jose`) and the files it lists are
 * exactly the bundle's files with those hashes; anything else refuses the bundle, naming the
 * file. JSON files (`*.json`, `.manifest`) are hashed in canonical form (RFC 8785: members
 * sorted, no whitespace), so re-encoding them does not break a signature; others byte for byte.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import canonicalize from 'canonicalize';
import { compactVerify } from 'jose';
import { PolicyBundleError } from './policy-bundle-error.js';
import type { PolicyBundleFile } from './policy-bundle-file.js';

export const SIGNATURES_FILE = '.signatures.json';

/** The verification key from its PEM text (an SPKI public key: RSA, EC or Ed25519). */
export function bundleVerificationKey(pem: string): KeyObject {
  return createPublicKey(pem);
}

/**
 * @throws PolicyBundleError when the bundle is unsigned, its signature does not verify, or a
 *   file is missing from, absent in, or differs from what the signature lists.
 */
export async function verifyBundleSignature(
  files: readonly PolicyBundleFile[],
  key: KeyObject,
): Promise<void> {
  const signatures = files.find((file) => file.relativePath === SIGNATURES_FILE);
  if (signatures === undefined) {
    throw new PolicyBundleError(
      `the bundle has no ${SIGNATURES_FILE}, and a verification key is configured: sign it (opa sign) or unset the key`,
    );
  }
  const jws = signatureOf(signatures.content);
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, key));
  } catch (error) {
    throw new PolicyBundleError(
      `the bundle's signature does not verify with the configured key (${(error as Error).message})`,
    );
  }
  const listed = listedFiles(new TextDecoder().decode(payload));
  const signed = files.filter((file) => file.relativePath !== SIGNATURES_FILE);
  for (const file of signed) {
    const expected = listed.get(file.relativePath);
    if (expected === undefined) {
      throw new PolicyBundleError(`${file.relativePath} is in the bundle but not in its signature`);
    }
    if (expected !== fileHash(file)) {
      throw new PolicyBundleError(`${file.relativePath} differs from the signed file (SHA-256)`);
    }
    listed.delete(file.relativePath);
  }
  const [missing] = listed.keys();
  if (missing !== undefined) {
    throw new PolicyBundleError(`${missing} is signed but missing from the bundle`);
  }
}

function signatureOf(content: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new PolicyBundleError(`${SIGNATURES_FILE} is not JSON`);
  }
  const list = (parsed as { signatures?: unknown })?.signatures;
  if (!Array.isArray(list) || list.length !== 1 || typeof list[0] !== 'string') {
    throw new PolicyBundleError(`${SIGNATURES_FILE} must hold {"signatures": [one JWS]}`);
  }
  return list[0];
}

/** The signed files: name (without a leading `/`) → hex SHA-256. */
function listedFiles(payload: string): Map<string, string> {
  const files = (JSON.parse(payload) as { files?: unknown }).files;
  if (!Array.isArray(files)) {
    throw new PolicyBundleError('the signature lists no files (its payload has no "files" array)');
  }
  const listed = new Map<string, string>();
  for (const entry of files as { name?: unknown; hash?: unknown; algorithm?: unknown }[]) {
    if (typeof entry.name !== 'string' || typeof entry.hash !== 'string') {
      throw new PolicyBundleError('a file of the signature has no name or hash');
    }
    if (entry.algorithm !== undefined && entry.algorithm !== 'SHA-256') {
      throw new PolicyBundleError(
        `${entry.name} is signed with hash ${String(entry.algorithm)}; only SHA-256 is accepted`,
      );
    }
    listed.set(entry.name.replace(/^\/+/, ''), entry.hash.toLowerCase());
  }
  return listed;
}

function fileHash(file: PolicyBundleFile): string {
  const isJson = file.relativePath.endsWith('.json') || file.relativePath.endsWith('.manifest');
  let text = file.content;
  if (isJson) {
    try {
      text = canonicalize(JSON.parse(file.content)) ?? '';
    } catch {
      throw new PolicyBundleError(`${file.relativePath} is not JSON`);
    }
  }
  return createHash('sha256').update(text).digest('hex');
}
