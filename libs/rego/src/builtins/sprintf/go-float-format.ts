/**
 * Go's float formatting (`strconv.FormatFloat` as used by `fmt`): `%e`, `%f`, `%g` and the
 * shortest form `%v` prints, which JavaScript's `toString` does not match (`1e+06` vs `1000000`).
 */

interface Digits {
  /** Significant decimal digits, no leading zeros ("0" for zero). */
  readonly digits: string;
  /** Position of the decimal point relative to the digits (value = 0.digits × 10^point). */
  readonly point: number;
}

/** Decimal digits of |x|: the shortest round-trip digits, or rounded to `significant` digits. */
function decimalDigits(x: number, significant?: number): Digits {
  const abs = Math.abs(x);
  if (abs === 0) return { digits: '0', point: 1 };
  const text =
    significant === undefined
      ? abs.toExponential()
      : abs.toExponential(Math.max(significant - 1, 0));
  const [mantissa = '0', exponent = '0'] = text.split('e');
  return { digits: mantissa.replace('.', ''), point: Number(exponent) + 1 };
}

function exponentPart(exp: number, upper: boolean): string {
  const sign = exp < 0 ? '-' : '+';
  const digits = String(Math.abs(exp)).padStart(2, '0');
  return `${upper ? 'E' : 'e'}${sign}${digits}`;
}

function formatExponent(d: Digits, fractionDigits: number, upper: boolean): string {
  const digits = d.digits.padEnd(fractionDigits + 1, '0');
  const head = digits[0] ?? '0';
  const tail = digits.slice(1, fractionDigits + 1);
  const exp = d.digits === '0' ? 0 : d.point - 1;
  return `${head}${tail ? `.${tail}` : ''}${exponentPart(exp, upper)}`;
}

function formatFixedDigits(d: Digits, fractionDigits: number): string {
  let intPart: string;
  let fracPart: string;
  if (d.point <= 0) {
    intPart = '0';
    fracPart = '0'.repeat(-d.point) + d.digits;
  } else if (d.point >= d.digits.length) {
    intPart = d.digits + '0'.repeat(d.point - d.digits.length);
    fracPart = '';
  } else {
    intPart = d.digits.slice(0, d.point);
    fracPart = d.digits.slice(d.point);
  }
  fracPart = fracPart.padEnd(fractionDigits, '0').slice(0, fractionDigits);
  return fractionDigits > 0 ? `${intPart}.${fracPart}` : intPart;
}

function special(x: number): string | undefined {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return '+Inf';
  if (x === Number.NEGATIVE_INFINITY) return '-Inf';
  return undefined;
}

/** `%e` with a precision (default 6). Sign included. */
export function goFormatE(x: number, precision = 6, upper = false): string {
  const s = special(x);
  if (s !== undefined) return s;
  const body = formatExponent(decimalDigits(x, precision + 1), precision, upper);
  return x < 0 || Object.is(x, -0) ? `-${body}` : body;
}

/** `%f` with a precision (default 6). Sign included. */
export function goFormatF(x: number, precision = 6): string {
  const s = special(x);
  if (s !== undefined) return s;
  const abs = Math.abs(x);
  const body =
    abs < 1e21
      ? abs.toFixed(Math.min(precision, 100))
      : formatFixedDigits(decimalDigits(abs), precision);
  return x < 0 ? `-${body}` : body;
}

/** `%g` (and `%v` when `precision` is undefined: the shortest digits). Sign included. */
export function goFormatG(x: number, precision?: number, upper = false): string {
  const s = special(x);
  if (s !== undefined) return s;
  const shortest = precision === undefined;
  const prec = precision === 0 ? 1 : precision;
  const d = decimalDigits(x, prec);
  const digits = shortest ? d.digits : d.digits.replace(/0+$/, '') || '0';
  const trimmed: Digits = { digits, point: d.point };
  let eprec = shortest ? 6 : (prec as number);
  if (!shortest && eprec > digits.length && digits.length >= d.point) eprec = digits.length;
  const exp = d.point - 1;
  let body: string;
  if (exp < -4 || exp >= eprec) {
    body = formatExponent(trimmed, digits.length - 1, upper);
  } else {
    body = formatFixedDigits(trimmed, Math.max(digits.length - d.point, 0));
  }
  return x < 0 || Object.is(x, -0) ? `-${body}` : body;
}
