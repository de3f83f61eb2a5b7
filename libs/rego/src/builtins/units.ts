/**
 * `units.parse` and `units.parse_bytes`, with OPA's suffixes and messages, computed exactly
 * (rational arithmetic) so that `1.5Gi` is an exact integer. Amounts may use exponents (`1e3`).
 */

import type { NumberValue } from '../value/value.js';
import { num } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, stringArg } from './operands.js';

/** A rational multiplier n/d. */
interface Scale {
  readonly n: bigint;
  readonly d: bigint;
}

const ONE: Scale = { n: 1n, d: 1n };
const si = (power: number): Scale => ({ n: 1000n ** BigInt(power), d: 1n });
const iec = (power: number): Scale => ({ n: 1024n ** BigInt(power), d: 1n });

/** `units.parse` suffixes after OPA lower-cases all but the first letter (`m` milli, `M` mega). */
const PARSE_UNITS: Readonly<Record<string, Scale>> = {
  '': ONE,
  m: { n: 1n, d: 1000n },
  k: si(1),
  K: si(1),
  ki: iec(1),
  Ki: iec(1),
  M: si(2),
  mi: iec(2),
  Mi: iec(2),
  g: si(3),
  G: si(3),
  gi: iec(3),
  Gi: iec(3),
  t: si(4),
  T: si(4),
  ti: iec(4),
  Ti: iec(4),
  p: si(5),
  P: si(5),
  pi: iec(5),
  Pi: iec(5),
  e: si(6),
  E: si(6),
  ei: iec(6),
  Ei: iec(6),
};

/** `units.parse_bytes` suffixes, matched lower-cased. */
const BYTE_UNITS: Readonly<Record<string, Scale>> = {
  '': ONE,
  ...Object.fromEntries(
    ['k', 'm', 'g', 't', 'p', 'e'].flatMap((p, i) => [
      [p, si(i + 1)],
      [`${p}b`, si(i + 1)],
      [`${p}i`, iec(i + 1)],
      [`${p}ib`, iec(i + 1)],
    ]),
  ),
};

const MAX_EXPONENT_DIGITS = 6;

/** OPA's split of `10.5Gi` into amount and unit; exponents (`1e3`) belong to the amount. */
function splitAmount(s: string): { amount: string; unit: string } | 'exponent too large' {
  let end = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    const isNumber = /[0-9.+-]/.test(c);
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      if (next === undefined || !/[0-9+-]/.test(next)) {
        end = i;
        break;
      }
      if (next === '+' || next === '-') i++;
      const digits = /^[0-9]*/.exec(s.slice(i + 1))?.[0] ?? '';
      if (digits.length > MAX_EXPONENT_DIGITS) return 'exponent too large';
      continue;
    }
    if (!isNumber) {
      end = i;
      break;
    }
  }
  return { amount: s.slice(0, end), unit: s.slice(end) };
}

/** An amount as an exact rational; undefined when it is not a number. */
function rational(amount: string): Scale | undefined {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(amount);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = m;
  let n = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
  let d = 10n ** BigInt(fraction.length);
  const exp = Number(exponent);
  if (exp >= 0) n *= 10n ** BigInt(exp);
  else d *= 10n ** BigInt(-exp);
  return { n, d };
}

/** n/d rounded to ten decimals, as big.Rat's FloatString(10) which OPA returns. */
function tenDecimals(n: bigint, d: bigint): NumberValue {
  const negative = n < 0n !== d < 0n;
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  const scaled = (an * 10n ** 10n * 2n + ad) / (2n * ad);
  const text = `${negative ? '-' : ''}${scaled / 10n ** 10n}.${(scaled % 10n ** 10n).toString().padStart(10, '0')}`;
  return num(Number(text));
}

function parse(name: string, text: string, lowerAll: boolean): { value: Scale; scale: Scale } {
  const s = (lowerAll ? text.toLowerCase() : text).replace(/"/g, '');
  const bytes = name === 'units.parse_bytes';
  if (s.includes(' ')) throw builtinError(name, 'spaces not allowed in resource strings');
  const parts = splitAmount(s);
  if (parts === 'exponent too large') throw builtinError(name, 'exponent too large');
  if (parts.amount === '')
    throw builtinError(name, bytes ? 'no byte amount provided' : 'no amount provided');
  const unit =
    bytes || parts.unit.length <= 1
      ? parts.unit
      : parts.unit[0] + parts.unit.slice(1).toLowerCase();
  const scale = (bytes ? BYTE_UNITS : PARSE_UNITS)[unit];
  if (scale === undefined)
    throw builtinError(name, `${bytes ? 'byte unit' : 'unit'} ${unit} not recognized`);
  const value = rational(parts.amount);
  if (value === undefined) {
    throw builtinError(
      name,
      bytes ? 'could not parse byte amount to a number' : 'could not parse amount to a number',
    );
  }
  return { value, scale };
}

export const UNITS_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'units.parse',
    arity: 1,
    implementation: (args) => {
      const { value, scale } = parse('units.parse', stringArg('units.parse', args, 0), false);
      const n = value.n * scale.n;
      const d = value.d * scale.d;
      return n % d === 0n ? num(n / d) : tenDecimals(n, d);
    },
  },
  {
    name: 'units.parse_bytes',
    arity: 1,
    implementation: (args) => {
      const { value, scale } = parse(
        'units.parse_bytes',
        stringArg('units.parse_bytes', args, 0),
        true,
      );
      // Truncated toward zero, as big.Float.Int does.
      return num((value.n * scale.n) / (value.d * scale.d));
    },
  },
];
