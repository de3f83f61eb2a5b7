/** Go's `time.ParseDuration`, exact to the nanosecond: `1h6m13.3s`, `15µs`, `-1.5h`. */

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const MAX = 2n ** 63n - 1n;

/** Nanoseconds of a Go duration string, or undefined when it is not one. */
export function parseDuration(text: string): bigint | undefined {
  let rest = text;
  let negative = false;
  if (rest[0] === '-' || rest[0] === '+') {
    negative = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return undefined;
  let total = 0n;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(rest);
    if (!m || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNITS[m[3] as string];
    if (unit === undefined) return undefined;
    const whole = BigInt(m[1] || '0');
    const fractionDigits = m[2] ?? '';
    let part = whole * unit;
    if (fractionDigits !== '') {
      part += (BigInt(fractionDigits) * unit) / 10n ** BigInt(fractionDigits.length);
    }
    total += part;
    if (total > MAX) return undefined;
    rest = rest.slice(m[0].length);
  }
  return negative ? -total : total;
}
