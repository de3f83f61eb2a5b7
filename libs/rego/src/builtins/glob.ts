/**
 * `glob.match` with the semantics of the gobwas/glob library OPA uses: `*` stops at
 * delimiters, `**` does not, `?`, `[a-z]`, `[!a]`, `{a,b}` alternatives and `\` escapes.
 * Patterns are translated once into an anchored RegExp of our own making and cached.
 */

import type { Value } from '../value/value.js';
import { bool } from '../value/value-builders.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import { builtinError, operandError, operandValueError, stringArg } from './operands.js';

function escapeClassChar(ch: string): string {
  return /[\\\]^-]/.test(ch) ? `\\${ch}` : ch;
}

function escapeChar(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/** Translates a glob to RegExp source; throws on unbalanced brackets or braces. */
export function globToRegExpSource(pattern: string, delimiters: readonly string[]): string {
  const chars = [...pattern];
  const notDelimiter =
    delimiters.length === 0 ? '[^]' : `[^${delimiters.map(escapeClassChar).join('')}]`;
  let i = 0;
  let depth = 0;
  let out = '';
  while (i < chars.length) {
    const ch = chars[i] as string;
    if (ch === '\\') {
      const next = chars[i + 1];
      if (next === undefined) throw new Error('unexpected end of input after escape');
      out += escapeChar(next);
      i += 2;
    } else if (ch === '*') {
      if (chars[i + 1] === '*') {
        out += '[^]*';
        i += 2;
      } else {
        out += `${notDelimiter}*`;
        i++;
      }
    } else if (ch === '?') {
      out += notDelimiter;
      i++;
    } else if (ch === '[') {
      const close = chars.indexOf(']', i + 1);
      if (close < 0) throw new Error('unexpected end of input: unclosed character class');
      let body = chars.slice(i + 1, close);
      const negate = body[0] === '!';
      if (negate) body = body.slice(1);
      let cls = '';
      for (let j = 0; j < body.length; j++) {
        const c = body[j] as string;
        if (body[j + 1] === '-' && body[j + 2] !== undefined) {
          cls += `${escapeClassChar(c)}-${escapeClassChar(body[j + 2] as string)}`;
          j += 2;
        } else {
          cls += escapeClassChar(c);
        }
      }
      out += negate ? `[^${cls}]` : `[${cls}]`;
      i = close + 1;
    } else if (ch === '{') {
      depth++;
      out += '(?:';
      i++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      out += ')';
      i++;
    } else if (ch === ',' && depth > 0) {
      out += '|';
      i++;
    } else {
      out += escapeChar(ch);
      i++;
    }
  }
  if (depth !== 0) throw new Error('unexpected end of input: unclosed alternatives');
  return `^${out}$`;
}

function delimitersOf(value: Value): string[] {
  if (value.kind === 'null') return [];
  if (value.kind !== 'array') throw operandError('glob.match', 2, ['array', 'null'], value);
  const delimiters = value.items.map((item) => {
    if (item.kind !== 'string')
      throw operandValueError(
        'glob.match',
        2,
        `must be array of strings but got ${item.kind} element`,
      );
    return item.value;
  });
  return delimiters.length === 0 ? ['.'] : delimiters;
}

/** Bounds the per-engine cache when patterns are built from input. */
const MAX_CACHED = 1000;

function compileGlob(
  pattern: string,
  delimiters: readonly string[],
  context: BuiltinContext,
): RegExp {
  const key = `glob\u0000${delimiters.join('\u0001')}\u0000${pattern}`;
  const cached = context.cache.get(key);
  if (cached instanceof RegExp) return cached;
  let re: RegExp;
  try {
    re = new RegExp(globToRegExpSource(pattern, delimiters), 'u');
  } catch (error) {
    throw builtinError('glob.match', error instanceof Error ? error.message : String(error));
  }
  if (context.cache.size < MAX_CACHED) context.cache.set(key, re);
  return re;
}

export const GLOB_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'glob.match',
    arity: 3,
    implementation: (args, context) => {
      const pattern = stringArg('glob.match', args, 0);
      const delimiters = delimitersOf(args[1] as Value);
      const subject = stringArg('glob.match', args, 2);
      return bool(compileGlob(pattern, delimiters, context).test(subject));
    },
  },
  {
    name: 'glob.quote_meta',
    arity: 1,
    implementation: (args) => {
      const s = stringArg('glob.quote_meta', args, 0);
      return { kind: 'string', value: s.replace(/[*?\\[\]{}]/g, (c) => `\\${c}`) };
    },
  },
];
