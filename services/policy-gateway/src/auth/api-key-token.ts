/**
 * The API key's text: `pgw_<id>_<secret>`, a 12-character id and a 43-character secret, both
 * base62 (letters and digits, so that a double click selects the whole key). The `pgw_`
 * prefix lets the gateway tell a key from a JWT without a lookup and lets secret scanners
 * recognise a leaked key; the id finds the stored record by primary key.
 *
 * Only SHA-256 of the whole key is stored. The secret is 256 random bits: nobody can guess it
 * or precompute hashes for it, so a slow password hash (bcrypt, scrypt, Argon2) would cost
 * tens of milliseconds per request and protect nothing more; a fast hash is enough. Hashing
 * the whole key binds the hash to its id, and the comparison is in constant time.
 */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

export const API_KEY_PREFIX = 'pgw_';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_LENGTH = 12;
/** 43 base62 characters hold 256.03 bits. */
const SECRET_LENGTH = 43;
const API_KEY_SHAPE = new RegExp(`^pgw_([0-9A-Za-z]{${ID_LENGTH}})_[0-9A-Za-z]{${SECRET_LENGTH}}$`);
const KEY_ID_SHAPE = new RegExp(`^[0-9A-Za-z]{${ID_LENGTH}}$`);

function base62(length: number): string {
  let text = '';
  // randomInt draws without modulo bias.
  for (let i = 0; i < length; i += 1) text += BASE62[randomInt(BASE62.length)];
  return text;
}

export interface MintedApiKey {
  readonly id: string;
  /** The whole key, to be shown once and never stored. */
  readonly key: string;
  readonly secretHash: string;
}

/** A new random key, its id and the hash to store. */
export function mintApiKey(): MintedApiKey {
  const id = base62(ID_LENGTH);
  const key = `${API_KEY_PREFIX}${id}_${base62(SECRET_LENGTH)}`;
  return { id, key, secretHash: hashApiKey(key) };
}

/** The key's id when the text has an API key's shape, else undefined. */
export function apiKeyId(token: string): string | undefined {
  return API_KEY_SHAPE.exec(token)?.[1];
}

/** Whether `id` has a key id's shape (for routes and the CLI taking one). */
export function isApiKeyId(id: string): boolean {
  return KEY_ID_SHAPE.test(id);
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/** Compares two hashes in time independent of where they differ. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
