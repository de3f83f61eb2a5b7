/** Hash builtins (`crypto.md5/sha1/sha256`, `crypto.hmac.*`) on UTF-8 bytes, via @noble/hashes so they run in browsers too. */
import { hmac } from '@noble/hashes/hmac.js';
import { md5, sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { bool, str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { toHex, utf8 } from './encoding/bytes.js';
import { stringArg } from './operands.js';

/** OPA offers these digests, and HMAC also with SHA-512. */
const DIGESTS = { md5, sha1, sha256 } as const;
const HMACS = { md5, sha1, sha256, sha512 } as const;

function constantTimeEqual(a: string, b: string): boolean {
  const x = utf8(a);
  const y = utf8(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export const CRYPTO_BUILTINS: readonly BuiltinDefinition[] = [
  ...Object.entries(DIGESTS).map(
    ([algorithm, hash]): BuiltinDefinition => ({
      name: `crypto.${algorithm}`,
      arity: 1,
      implementation: (args) => str(toHex(hash(utf8(stringArg(`crypto.${algorithm}`, args, 0))))),
    }),
  ),
  ...Object.entries(HMACS).map(
    ([algorithm, hash]): BuiltinDefinition => ({
      name: `crypto.hmac.${algorithm}`,
      arity: 2,
      implementation: (args) => {
        const name = `crypto.hmac.${algorithm}`;
        const message = utf8(stringArg(name, args, 0));
        const key = utf8(stringArg(name, args, 1));
        return str(toHex(hmac(hash, key, message)));
      },
    }),
  ),
  {
    name: 'crypto.hmac.equal',
    arity: 2,
    implementation: (args) =>
      bool(
        constantTimeEqual(
          stringArg('crypto.hmac.equal', args, 0),
          stringArg('crypto.hmac.equal', args, 1),
        ),
      ),
  },
];
