/**
 * `sprintf` with Go's `fmt` verbs, after OPA's operand conversion: integers become Go ints,
 * other numbers float64, strings stay strings and every other value is passed as its Rego
 * text (so `%v` of an object prints `{"a": 1}`). Mismatches render as Go does (`%!d(string=x)`).
 */

import type { Value } from '../value/value.js';
import { str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { arrayArg, builtinError, stringArg } from './operands.js';
import { formatTerm } from './sprintf/format-term.js';
import { goFormatE, goFormatF, goFormatG } from './sprintf/go-float-format.js';
import { goQuote } from './sprintf/go-quote.js';

type GoArg =
  | { readonly type: 'int'; readonly value: bigint; readonly big: boolean }
  | { readonly type: 'float64'; readonly value: number }
  | { readonly type: 'string'; readonly value: string };

function toGoArg(value: Value): GoArg {
  if (value.kind === 'number') {
    const n = value.value;
    if (typeof n === 'bigint')
      return { type: 'int', value: n, big: n > 2n ** 63n - 1n || n < -(2n ** 63n) };
    if (Number.isInteger(n)) return { type: 'int', value: BigInt(n), big: false };
    return { type: 'float64', value: n };
  }
  if (value.kind === 'string') return { type: 'string', value: value.value };
  return { type: 'string', value: formatTerm(value) };
}

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  precision?: number;
}

function goTypeName(arg: GoArg): string {
  if (arg.type === 'int') return arg.big ? '*big.Int' : 'int';
  return arg.type;
}

function bad(verb: string, arg: GoArg): string {
  const shown =
    arg.type === 'int'
      ? arg.value.toString()
      : arg.type === 'float64'
        ? goFormatG(arg.value)
        : arg.value;
  return `%!${verb}(${goTypeName(arg)}=${shown})`;
}

function pad(text: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined) return text;
  const length = [...text].length;
  if (length >= spec.width) return text;
  const fill = spec.width - length;
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const signed = /^[+\- ]/.test(text);
    return signed ? text[0] + '0'.repeat(fill) + text.slice(1) : '0'.repeat(fill) + text;
  }
  if (spec.zero && !numeric) return '0'.repeat(fill) + text;
  return ' '.repeat(fill) + text;
}

function signed(body: string, negative: boolean, spec: Spec): string {
  if (negative) return `-${body}`;
  if (spec.plus) return `+${body}`;
  if (spec.space) return ` ${body}`;
  return body;
}

function formatInteger(value: bigint, big: boolean, verb: string, spec: Spec): string | undefined {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  let body: string;
  switch (verb) {
    case 'v':
    case 'd':
      body = abs.toString(10);
      break;
    case 's':
      // Go's *big.Int formats %s as decimal; machine integers do not.
      if (!big) return undefined;
      body = abs.toString(10);
      break;
    case 'b':
      body = abs.toString(2);
      break;
    case 'o':
      body = abs.toString(8);
      if (spec.sharp && body[0] !== '0') body = `0${body}`;
      break;
    case 'O':
      body = `0o${abs.toString(8)}`;
      break;
    case 'x':
      body = abs.toString(16);
      if (spec.sharp) body = `0x${body}`;
      break;
    case 'X':
      body = abs.toString(16).toUpperCase();
      if (spec.sharp) body = `0X${body}`;
      break;
    case 'c':
      return String.fromCodePoint(Number(value));
    case 'q':
      return `'${String.fromCodePoint(Number(value))}'`;
    case 'U':
      return `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`;
    default:
      return undefined;
  }
  if (spec.precision !== undefined) body = body.padStart(spec.precision, '0');
  return signed(body, negative, spec);
}

function formatFloat(value: number, verb: string, spec: Spec): string | undefined {
  let text: string;
  switch (verb) {
    case 'v':
    case 'g':
      text = goFormatG(value, spec.precision);
      break;
    case 'G':
      text = goFormatG(value, spec.precision, true);
      break;
    case 'e':
    case 'E':
      text = goFormatE(value, spec.precision ?? 6, verb === 'E');
      break;
    case 'f':
    case 'F':
      text = goFormatF(value, spec.precision ?? 6);
      break;
    default:
      return undefined;
  }
  if (text.startsWith('-')) return text;
  return signed(text, false, spec);
}

function formatString(value: string, verb: string, spec: Spec): string | undefined {
  const truncated =
    spec.precision === undefined ? value : [...value].slice(0, spec.precision).join('');
  switch (verb) {
    case 'v':
    case 's':
      return truncated;
    case 'q':
      return goQuote(truncated, spec.plus);
    case 'x':
    case 'X': {
      const hex = Array.from(new TextEncoder().encode(truncated), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('');
      return verb === 'X' ? hex.toUpperCase() : hex;
    }
    default:
      return undefined;
  }
}

function formatOne(arg: GoArg, verb: string, spec: Spec): string {
  let text: string | undefined;
  let numeric = false;
  if (arg.type === 'int') {
    text = formatInteger(arg.value, arg.big, verb, spec);
    numeric = true;
  } else if (arg.type === 'float64') {
    text = formatFloat(arg.value, verb, spec);
    numeric = true;
  } else {
    text = formatString(arg.value, verb, spec);
  }
  if (text === undefined) return bad(verb, arg);
  return pad(text, spec, numeric);
}

/** Widths and precisions past this would build strings of megabytes from a few bytes of format. */
const MAX_WIDTH = 100_000;

function checkedSize(n: number): number {
  if (n > MAX_WIDTH)
    throw builtinError('sprintf', `width or precision ${n} exceeds the limit of ${MAX_WIDTH}`);
  return n;
}

/** `%s`, `%v` of a string and `%d`, `%v` of an int without flags: most formats policies write. */
function simpleVerb(verb: string | undefined, arg: GoArg | undefined): string | undefined {
  if (arg === undefined) return undefined;
  if (arg.type === 'string' && (verb === 's' || verb === 'v')) return arg.value;
  if (arg.type === 'int' && (verb === 'd' || verb === 'v')) return arg.value.toString();
  return undefined;
}

/** Index after the run of ASCII digits starting at `i`. */
function digitsEnd(format: string, i: number): number {
  let end = i;
  while (end < format.length && format.charCodeAt(end) >= 0x30 && format.charCodeAt(end) <= 0x39)
    end++;
  return end;
}

/** Go's `fmt.Sprintf(format, args...)`. */
export function goSprintf(format: string, args: readonly GoArg[]): string {
  let out = '';
  let argIndex = 0;
  let reordered = false;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf('%', i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    i = percent + 1;
    const simple = simpleVerb(format[i], args[argIndex]);
    if (simple !== undefined) {
      out += simple;
      argIndex++;
      i++;
      continue;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; i < format.length; i++) {
      const c = format[i];
      if (c === '-') spec.minus = true;
      else if (c === '+') spec.plus = true;
      else if (c === '#') spec.sharp = true;
      else if (c === ' ') spec.space = true;
      else if (c === '0') spec.zero = !spec.minus;
      else break;
    }
    if (format[i] === '[') {
      const explicit = /^\[(\d+)\]/.exec(format.slice(i, i + 12));
      if (explicit) {
        argIndex = Number(explicit[1]) - 1;
        reordered = true;
        i += explicit[0].length;
      }
    }
    if (format[i] === '*') {
      const w = args[argIndex++];
      spec.width = w?.type === 'int' ? Number(w.value) : undefined;
      if (spec.width !== undefined) checkedSize(Math.abs(spec.width));
      if (spec.width !== undefined && spec.width < 0) {
        spec.minus = true;
        spec.width = -spec.width;
      }
      i++;
    } else {
      const end = digitsEnd(format, i);
      if (end > i) {
        spec.width = checkedSize(Number(format.slice(i, end)));
        i = end;
      }
    }
    if (format[i] === '.') {
      i++;
      if (format[i] === '*') {
        const p = args[argIndex++];
        spec.precision = p?.type === 'int' ? checkedSize(Number(p.value)) : undefined;
        i++;
      } else {
        const end = digitsEnd(format, i);
        spec.precision = end === i ? 0 : checkedSize(Number(format.slice(i, end)));
        i = end;
      }
    }
    const verb = String.fromCodePoint(format.codePointAt(i) ?? 0x21);
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    const arg = args[argIndex];
    if (arg === undefined) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    argIndex++;
    out += formatOne(arg, verb, spec);
  }
  if (!reordered && argIndex < args.length) {
    const extra = args
      .slice(argIndex)
      .map(
        (a) =>
          `${goTypeName(a)}=${formatOne(a, 'v', { minus: false, plus: false, sharp: false, space: false, zero: false })}`,
      );
    out += `%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

export const SPRINTF_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'sprintf',
    arity: 2,
    implementation: (args) => {
      const format = stringArg('sprintf', args, 0);
      const operands = arrayArg('sprintf', args, 1).items.map(toGoArg);
      return str(goSprintf(format, operands));
    },
  },
];
