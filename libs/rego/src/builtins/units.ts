/**
 * `units.parse` and `units.parse_bytes`: amounts with SI and IEC suffixes, computed exactly
 * (rational arithmetic) so that `1.5Gi` is an exact integer. Beyond OPA's suffixes the rest
 * of the SI prefixes are accepted, as other Rego engines do.
 */

import type { NumberValue } from '../value/value.js';
import { num } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, stringArg } from './operands.js';

interface Scale {
  /** Multiplier numerator and denominator. */
  readonly n: bigint;
  readonly d: bigint;
}

const pow10 = (e: number): Scale =>
  e >= 0 ? { n: 10n ** BigInt(e), d: 1n } : { n: 1n, d: 10n ** BigInt(-e) };
const pow2 = (e: number): Scale => ({ n: 2n ** BigInt(e), d: 1n });

const DECIMAL: Readonly<Record<string, number>> = {
  q: 30,
  r: 27,
  y: 24,
  z: 21,
  e: 18,
  p: 15,
  t: 12,
  g: 9,
  m: 6,
  k: 3,
};
const BINARY: Readonly<Record<string, number>> = {
  ki: 10,
  mi: 20,
  gi: 30,
  ti: 40,
  pi: 50,
  ei: 60,
  zi: 70,
  yi: 80,
};

/** Suffixes of `units.parse`, where case matters for `m` (milli) against `M` (mega). */
function parseScale(unit: string): Scale | undefined {
  if (unit === '') return { n: 1n, d: 1n };
  const head = unit[0] as string;
  const tail = unit.slice(1).toLowerCase();
  const normal = head + tail;
  const small: Record<string, number> = {
    m: -3,
    μ: -6,
    µ: -6,
    u: -6,
    n: -9,
    f: -15,
    a: -18,
    z: -21,
    y: -24,
    r: -27,
    q: -30,
    c: -2,
    d: -1,
    da: 1,
    h: 2,
  };
  const large: Record<string, number> = {
    k: 3,
    K: 3,
    M: 6,
    G: 9,
    g: 9,
    T: 12,
    t: 12,
    P: 15,
    p: 15,
    E: 18,
    e: 18,
    Z: 21,
    Y: 24,
    R: 27,
    Q: 30,
  };
  if (normal in large) return pow10(large[normal] as number);
  if (normal in small) return pow10(small[normal] as number);
  const binary = BINARY[normal.toLowerCase()];
  if (binary !== undefined) return pow2(binary);
  return undefined;
}

/** Suffixes of `units.parse_bytes`, case-insensitive, with an optional `b`. */
function byteScale(unit: string): Scale | undefined {
  let u = unit.toLowerCase();
  if (u === '' || u === 'b') return { n: 1n, d: 1n };
  if (u.endsWith('b')) u = u.slice(0, -1);
  if (u in BINARY) return pow2(BINARY[u] as number);
  if (u in DECIMAL) return pow10(DECIMAL[u] as number);
  return undefined;
}

function split(name: string, text: string): { amount: string; unit: string } {
  const s = text.replace(/"/g, '');
  if (s.includes(' ')) throw builtinError(name, 'spaces not allowed in resource strings');
  const m = /^([0-9.]*)(.*)$/s.exec(s) as RegExpExecArray;
  const amount = m[1] as string;
  if (amount === '') throw builtinError(name, 'no amount provided');
  if (!/^(?:\d+\.?\d*|\.\d+)$/.test(amount))
    throw builtinError(name, 'could not parse amount to a number');
  return { amount, unit: m[2] as string };
}

function scaled(amount: string, scale: Scale, integer: boolean): NumberValue {
  const [whole = '', fraction = ''] = amount.split('.');
  const n = BigInt(whole + fraction || '0') * scale.n;
  const d = 10n ** BigInt(fraction.length) * scale.d;
  if (n % d === 0n || integer) return num(n / d);
  // The denominator is a power of ten: the decimal literal rounds correctly, a division would not.
  return num(Number(`${n}e-${d.toString().length - 1}`));
}

export const UNITS_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'units.parse',
    arity: 1,
    implementation: (args) => {
      const { amount, unit } = split('units.parse', stringArg('units.parse', args, 0));
      const scale = parseScale(unit);
      if (scale === undefined) throw builtinError('units.parse', `unit not recognized: ${unit}`);
      return scaled(amount, scale, false);
    },
  },
  {
    name: 'units.parse_bytes',
    arity: 1,
    implementation: (args) => {
      const { amount, unit } = split('units.parse_bytes', stringArg('units.parse_bytes', args, 0));
      const scale = byteScale(unit);
      if (scale === undefined)
        throw builtinError('units.parse_bytes', `unit not recognized: ${unit}`);
      return scaled(amount, scale, true);
    },
  },
];
