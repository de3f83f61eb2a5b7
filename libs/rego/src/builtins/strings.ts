/**
 * String builtins. OPA works on UTF-8 strings and counts in code points, so every index and
 * length here is in code points; case mapping is per code point, as Go's `strings.ToLower`.
 */

import type { Value } from '../value/value.js';
import { arr, bool, num, str } from '../value/value-builders.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import { parseNumber } from './numbers/number-ops.js';
import {
  builtinError,
  numberArg,
  objectArg,
  operandError,
  operandValueError,
  safeIntegerArg,
  stringArg,
  stringCollectionArg,
  stringOrCollectionArg,
} from './operands.js';
import { countOccurrences } from './strings/count-occurrences.js';
import {
  executeTemplate,
  parseTemplate,
  TemplateError,
  type TemplateTree,
} from './strings/go-template.js';
import { hasSurrogates, runeIndexOf, runes } from './strings/runes.js';
import { StringReplacer } from './strings/string-replacer.js';
import { searchIncludes, searchIndex } from './strings/string-search.js';

/** Go's unicode.IsSpace: JavaScript's trim also strips U+FEFF and keeps U+0085. */
function isGoSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

function trimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Simple (one-to-one) case mappings Go applies where JavaScript's full mapping has several characters. */
const SIMPLE_LOWER: Readonly<Record<string, string>> = { '\u0130': 'i' };

/** Per-code-point case mapping, keeping characters whose mapping would change their length (Go does). */
function mapCase(s: string, upper: boolean): string {
  // JavaScript maps whole strings like Go maps each code point, except where a mapping has
  // several characters (the length changes) and for the final-sigma rule (ς appears).
  const whole = upper ? s.toUpperCase() : s.toLowerCase();
  if (whole.length === s.length && (upper || !whole.includes('ς'))) return whole;
  let out = '';
  for (const ch of s) {
    const mapped = upper ? ch.toUpperCase() : (SIMPLE_LOWER[ch] ?? ch.toLowerCase());
    out += [...mapped].length === 1 ? mapped : ch;
  }
  return out;
}

function trimLeftSet(s: string, cutset: string): string {
  const chars = new Set(runes(cutset));
  const rs = runes(s);
  let i = 0;
  while (i < rs.length && chars.has(rs[i]!)) i++;
  return rs.slice(i).join('');
}

function trimRightSet(s: string, cutset: string): string {
  const chars = new Set(runes(cutset));
  const rs = runes(s);
  let j = rs.length;
  while (j > 0 && chars.has(rs[j - 1]!)) j--;
  return rs.slice(0, j).join('');
}

/** Go's `strings.ReplaceAll`, including its treatment of an empty `old` (insert around every code point). */
export function replaceAll(s: string, old: string, replacement: string): string {
  if (old === '') {
    const rs = runes(s);
    return replacement + rs.map((r) => r + replacement).join('');
  }
  // An indexOf loop: several times faster than split and join on short strings (the policy
  // strips the spaces of every card number), and a subject without `old` is returned as is.
  let at = s.indexOf(old);
  if (at < 0) return s;
  let out = '';
  let from = 0;
  while (at >= 0) {
    out += s.slice(from, at) + replacement;
    from = at + old.length;
    at = s.indexOf(old, from);
  }
  return out + s.slice(from);
}

function indexOfRunes(base: string, search: string): number {
  const at = searchIndex(base, search);
  if (at < 0 || !hasSurrogates(base)) return at;
  return runeIndexOf(base, at);
}

function formatInt(n: number | bigint, base: number): string {
  const truncated = typeof n === 'bigint' ? n : BigInt(Math.trunc(n));
  return truncated.toString(base);
}

function toNumber(value: Value): Value {
  switch (value.kind) {
    case 'null':
      return num(0);
    case 'boolean':
      return num(value.value ? 1 : 0);
    case 'number':
      return value;
    case 'string': {
      // Up to 15 decimal digits (leading zeros too) are an exact double: no pattern to test.
      if (isShortDigitRun(value.value)) return num(Number(value.value));
      const text = value.value.startsWith('+') ? value.value.slice(1) : value.value;
      const parsed = parseNumber(text) ?? parseLooseFloat(text);
      if (parsed === undefined)
        throw builtinError(
          'to_number',
          `could not parse string as number: ${JSON.stringify(value.value)}`,
        );
      return parsed;
    }
    default:
      throw operandError('to_number', 1, ['null', 'boolean', 'number', 'string'], value);
  }
}

/** Forms Go's ParseFloat accepts beyond JSON's grammar (`1.`, `.5`, `01`). */
/** 1 to 15 ASCII digits: what a policy cuts out of a number to compute with it (a mod 97 chunk). */
function isShortDigitRun(text: string): boolean {
  if (text.length === 0 || text.length > 15) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

function parseLooseFloat(text: string): Value | undefined {
  if (!/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? num(n) : undefined;
}

function twoStrings(name: string, op: (a: string, b: string) => Value): BuiltinDefinition {
  return {
    name,
    arity: 2,
    implementation: (args) => op(stringArg(name, args, 0), stringArg(name, args, 1)),
  };
}

function oneString(name: string, op: (a: string) => Value): BuiltinDefinition {
  return { name, arity: 1, implementation: (args) => op(stringArg(name, args, 0)) };
}

function anyMatch(name: string, test: (s: string, affix: string) => boolean): BuiltinDefinition {
  return {
    name,
    arity: 2,
    implementation: (args) => {
      const subjects = stringOrCollectionArg(name, args, 0);
      const affixes = stringOrCollectionArg(name, args, 1);
      return bool(subjects.some((s) => affixes.some((a) => test(s, a))));
    },
  };
}

const MAX_CACHED_TEMPLATES = 256;

/** `strings.render_template`: Go's text/template (the part `strings/go-template.ts` offers). */
function renderTemplate(args: readonly Value[], context: BuiltinContext): Value {
  const name = 'strings.render_template';
  const source = stringArg(name, args, 0);
  const vars = objectArg(name, args, 1);
  let cache = context.cache.get(name) as Map<string, TemplateTree | TemplateError> | undefined;
  if (cache === undefined) {
    cache = new Map();
    context.cache.set(name, cache);
  }
  let tree = cache.get(source);
  if (tree === undefined) {
    try {
      tree = parseTemplate(source);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      tree = error;
    }
    if (cache.size < MAX_CACHED_TEMPLATES) cache.set(source, tree);
  }
  if (tree instanceof TemplateError) throw builtinError(name, `template: ${tree.message}`);
  try {
    return str(executeTemplate(tree, vars));
  } catch (error) {
    if (error instanceof TemplateError) throw builtinError(name, `template: ${error.message}`);
    throw error;
  }
}

export const STRING_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'concat',
    arity: 2,
    implementation: (args) => {
      const delimiter = stringArg('concat', args, 0);
      return str(stringCollectionArg('concat', args, 1).join(delimiter));
    },
  },
  twoStrings('contains', (s, sub) => bool(searchIncludes(s, sub))),
  twoStrings('startswith', (s, prefix) => bool(s.startsWith(prefix))),
  twoStrings('endswith', (s, suffix) => bool(s.endsWith(suffix))),
  oneString('lower', (s) => str(mapCase(s, false))),
  oneString('upper', (s) => str(mapCase(s, true))),
  twoStrings('split', (s, delimiter) =>
    arr((delimiter === '' ? runes(s) : s.split(delimiter)).map(str)),
  ),
  {
    name: 'strings.split_n',
    arity: 3,
    implementation: (args) => {
      const name = 'strings.split_n';
      const s = stringArg(name, args, 0);
      const delimiter = stringArg(name, args, 1);
      const n = safeIntegerArg(name, args, 2);
      const parts = delimiter === '' ? runes(s) : s.split(delimiter);
      // The first n parts, or the last -n; the rest is dropped.
      const kept = n >= 0 ? parts.slice(0, n) : parts.slice(Math.max(parts.length + n, 0));
      return arr(kept.map(str));
    },
  },
  {
    name: 'replace',
    arity: 3,
    implementation: (args) =>
      str(
        replaceAll(
          stringArg('replace', args, 0),
          stringArg('replace', args, 1),
          stringArg('replace', args, 2),
        ),
      ),
  },
  {
    name: 'strings.replace_n',
    arity: 2,
    implementation: (args) => {
      const patterns = objectArg('strings.replace_n', args, 0);
      const s = stringArg('strings.replace_n', args, 1);
      return str(StringReplacer.of(patterns).replace(s));
    },
  },
  twoStrings('trim', (s, cutset) => str(trimRightSet(trimLeftSet(s, cutset), cutset))),
  twoStrings('trim_left', (s, cutset) => str(trimLeftSet(s, cutset))),
  twoStrings('trim_right', (s, cutset) => str(trimRightSet(s, cutset))),
  twoStrings('trim_prefix', (s, prefix) => str(s.startsWith(prefix) ? s.slice(prefix.length) : s)),
  twoStrings('trim_suffix', (s, suffix) =>
    str(suffix !== '' && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s),
  ),
  oneString('trim_space', (s) => str(trimSpace(s))),
  twoStrings('indexof', (s, search) => {
    if (search === '') throw builtinError('indexof', 'empty search character');
    return num(indexOfRunes(s, search));
  }),
  twoStrings('indexof_n', (s, search) => {
    if (search === '') throw builtinError('indexof_n', 'empty search character');
    const indexes: Value[] = [];
    for (let i = s.indexOf(search); i >= 0; i = s.indexOf(search, i + 1)) {
      indexes.push(num(hasSurrogates(s) ? runeIndexOf(s, i) : i));
    }
    return arr(indexes);
  }),
  {
    name: 'substring',
    arity: 3,
    implementation: (args) => {
      const s = stringArg('substring', args, 0);
      const start = safeIntegerArg('substring', args, 1);
      const length = safeIntegerArg('substring', args, 2);
      if (start < 0) throw builtinError('substring', 'negative offset');
      const rs = hasSurrogates(s) ? runes(s) : undefined;
      const total = rs ? rs.length : s.length;
      if (start >= total) return str('');
      const end = length < 0 ? total : Math.min(total, start + length);
      return str(rs ? rs.slice(start, end).join('') : s.slice(start, end));
    },
  },
  {
    name: 'format_int',
    arity: 2,
    implementation: (args) => {
      const n = numberArg('format_int', args, 0);
      const base = numberArg('format_int', args, 1);
      if (base !== 2 && base !== 8 && base !== 10 && base !== 16) {
        throw operandValueError('format_int', 2, 'must be one of {2, 8, 10, 16}');
      }
      return str(formatInt(n, base));
    },
  },
  oneString('strings.reverse', (s) => str(runes(s).reverse().join(''))),
  anyMatch('strings.any_prefix_match', (s, prefix) => s.startsWith(prefix)),
  anyMatch('strings.any_suffix_match', (s, suffix) => s.endsWith(suffix)),
  twoStrings('strings.count', (s, sub) => num(countOccurrences(s, sub))),
  { name: 'to_number', arity: 1, implementation: (args) => toNumber(args[0] as Value) },
  { name: 'strings.render_template', arity: 2, implementation: renderTemplate },
];
