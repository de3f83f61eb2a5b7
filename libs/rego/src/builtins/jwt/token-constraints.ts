/**
 * `io.jwt.decode_verify`'s constraints object (`cert` or `secret`, `alg`, `iss`, `aud`,
 * `time`) and the registered claims checked against it (RFC 7519 §4.1), as OPA checks them.
 */
import type { ObjectValue } from '../../value/value.js';
import { toFloat } from '../numbers/number-ops.js';
import { builtinError } from '../operands.js';
import { member } from './compact-token.js';
import { cachedVerificationKeys, KeyTextError, type VerificationKey } from './verification-keys.js';

export interface TokenConstraints {
  /** The keys of a `cert` constraint; undefined without one (an empty JWK set is still one). */
  readonly keys?: readonly VerificationKey[];
  /** A `secret` constraint; the empty string counts as none, as in OPA. */
  readonly secret: string;
  readonly alg: string;
  readonly iss: string;
  readonly aud: string;
  /** Seconds since the epoch the token must be valid at. */
  readonly timeSeconds: number;
}

/** The constraints; `nowNs` is the time without a `time` constraint, `cache` the engine's. */
export function parseConstraints(
  name: string,
  o: ObjectValue,
  nowNs: bigint,
  cache: Map<string, unknown>,
): TokenConstraints {
  let keys: readonly VerificationKey[] | undefined;
  const strings = { secret: '', alg: '', iss: '', aud: '' };
  let timeNs: number | undefined;
  for (const [k, v] of o.entries.values()) {
    const key = k.kind === 'string' ? k.value : '';
    if (key === 'time') {
      if (v.kind !== 'number') throw builtinError(name, 'token time constraint: must be a number');
      timeNs = toFloat(v.value);
      if (timeNs < 0) throw builtinError(name, 'token time constraint: must not be negative');
    } else if (key === 'cert') {
      if (v.kind !== 'string') throw builtinError(name, 'cert constraint: must be a string');
      try {
        keys = cachedVerificationKeys(v.value, cache);
      } catch (error) {
        if (error instanceof KeyTextError) throw builtinError(name, error.message);
        throw error;
      }
    } else if (key === 'secret' || key === 'alg' || key === 'iss' || key === 'aud') {
      if (v.kind !== 'string') throw builtinError(name, `${key} constraint: must be a string`);
      strings[key] = v.value;
    } else {
      throw builtinError(name, `unknown token validation constraint: ${key}`);
    }
  }
  const keyConstraints = (keys === undefined ? 0 : 1) + (strings.secret === '' ? 0 : 1);
  if (keyConstraints > 1) throw builtinError(name, 'duplicate key constraints');
  if (keyConstraints < 1) throw builtinError(name, 'no key constraint');
  return { keys, ...strings, timeSeconds: (timeNs ?? Number(nowNs)) / 1e9 };
}

/** Whether the claims meet the constraints: `iss`, `aud`, `exp` and `nbf` as OPA checks them. */
export function claimsValid(name: string, claims: ObjectValue, c: TokenConstraints): boolean {
  if (c.iss !== '') {
    const iss = member(claims, 'iss');
    if (iss?.kind !== 'string' || iss.value !== c.iss) return false;
  }
  const aud = member(claims, 'aud');
  if (aud === undefined) {
    if (c.aud !== '') return false;
  } else if (aud.kind === 'string') {
    if (aud.value !== c.aud) return false;
  } else if (aud.kind === 'array') {
    if (!aud.items.some((a) => a.kind === 'string' && a.value === c.aud)) return false;
  } else {
    return false;
  }
  const exp = member(claims, 'exp');
  if (exp !== undefined) {
    if (exp.kind !== 'number') throw builtinError(name, 'exp value must be a number');
    if (c.timeSeconds >= toFloat(exp.value)) return false;
  }
  const nbf = member(claims, 'nbf');
  if (nbf !== undefined) {
    if (nbf.kind !== 'number') throw builtinError(name, 'nbf value must be a number');
    if (c.timeSeconds < toFloat(nbf.value)) return false;
  }
  return true;
}
