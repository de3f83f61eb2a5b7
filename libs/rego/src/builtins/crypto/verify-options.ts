/**
 * The options object of `crypto.x509.parse_and_verify_certificates_with_options`, read as
 * OPA reads it into Go's `x509.VerifyOptions`: `DNSName`, `CurrentTime` (nanoseconds),
 * `MaxConstraintComparisons` and `KeyUsages` (names of Go's extended key usages).
 */
import type { ObjectValue } from '../../value/value.js';
import { sortedSetItems } from '../operands.js';
import type { ChainOptions } from './certificate-chain.js';
import { X509Error } from './x509-error.js';

/** OPA's names of Go's `x509.ExtKeyUsage` values. */
const KEY_USAGES: Readonly<Record<string, number>> = {
  KeyUsageAny: 0,
  KeyUsageServerAuth: 1,
  KeyUsageClientAuth: 2,
  KeyUsageCodeSigning: 3,
  KeyUsageEmailProtection: 4,
  KeyUsageIPSECEndSystem: 5,
  KeyUsageIPSECTunnel: 6,
  KeyUsageIPSECUser: 7,
  KeyUsageTimeStamping: 8,
  KeyUsageOCSPSigning: 9,
  KeyUsageMicrosoftServerGatedCrypto: 10,
  KeyUsageNetscapeServerGatedCrypto: 11,
  KeyUsageMicrosoftCommercialCodeSigning: 12,
  KeyUsageMicrosoftKernelCodeSigning: 13,
};

const INT64_MAX = 0x7fff_ffff_ffff_ffffn;

/** The options; `nowNs` is the time when `CurrentTime` is not given. Throws `X509Error` with OPA's messages. */
export function verifyOptions(options: ObjectValue, nowNs: bigint): ChainOptions {
  let dnsName = '';
  let currentTimeNs = nowNs;
  const keyUsages: number[] = [];
  for (const [k, v] of options.entries.values()) {
    if (k.kind !== 'string') continue;
    switch (k.value) {
      case 'DNSName':
        if (v.kind !== 'string') throw new X509Error("'DNSName' should be a string");
        dnsName = v.value.replace(/^"+|"+$/g, '');
        break;
      case 'CurrentTime': {
        if (v.kind !== 'number') throw new X509Error("'CurrentTime' should be a number");
        const n = v.value;
        const integral = typeof n === 'bigint' || Number.isInteger(n);
        if (!integral || BigInt(n) > INT64_MAX || BigInt(n) < -INT64_MAX - 1n)
          throw new X509Error("'CurrentTime' should be a valid int64 number");
        currentTimeNs = BigInt(n);
        break;
      }
      case 'MaxConstraintComparisons':
        // Go bounds the work of checking name constraints with it; the chains here are
        // checked without name-constraint comparisons, so only its type matters.
        if (v.kind !== 'number')
          throw new X509Error("'MaxConstraintComparisons' should be a number");
        if (typeof v.value === 'number' && !Number.isInteger(v.value))
          throw new X509Error("'MaxConstraintComparisons' should be a valid number");
        break;
      case 'KeyUsages': {
        const items =
          v.kind === 'array' ? v.items : v.kind === 'set' ? sortedSetItems(v) : undefined;
        if (items === undefined) throw new X509Error("'KeyUsages' should be an Array or Set");
        const invalid: string[] = [];
        for (const item of items) {
          if (item.kind !== 'string') continue;
          const name = item.value.replace(/^"+|"+$/g, '');
          const usage = KEY_USAGES[name];
          if (usage === undefined) invalid.push(name);
          else keyUsages.push(usage);
        }
        if (invalid.length > 0)
          throw new X509Error(`invalid entries for 'KeyUsages' found: [${invalid.join(' ')}]`);
        break;
      }
      default:
        throw new X509Error('invalid key option');
    }
  }
  return { dnsName, currentTimeMs: Number(currentTimeNs / 1_000_000n), keyUsages };
}
