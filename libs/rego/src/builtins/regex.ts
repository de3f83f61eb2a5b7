/**
 * Regular expressions with RE2's (Go `regexp`) syntax, meaning and linear time (see
 * `regex/`): patterns RE2 rejects (look-arounds, back-references) are errors, as in OPA.
 * Compiled patterns are cached per engine.
 */
import type { Value } from '../value/value.js';
import { arr, bool, str } from '../value/value-builders.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import { builtinError, safeIntegerArg, stringArg } from './operands.js';
import { type CompiledRegex, compileRe2 } from './regex/compiled-regex.js';

export type { CompiledRegex };

const MAX_CACHED = 1000;

/**
 * The engine's compiled patterns (or the error a pattern raises), keyed by the pattern
 * itself: a policy's pattern strings are the same objects on every call, so the lookup
 * reuses their cached hash instead of hashing a fresh prefixed key each time.
 */
type RegexCache = Map<string, CompiledRegex | Error>;

function regexCache(context: BuiltinContext): RegexCache {
  let cache = context.cache.get('regex') as RegexCache | undefined;
  if (cache === undefined) {
    cache = new Map();
    context.cache.set('regex', cache);
  }
  return cache;
}

/** Compiles (or fetches) a pattern; throws a BuiltinError naming the builtin for invalid RE2. */
export function compileRegex(name: string, source: string, context: BuiltinContext): CompiledRegex {
  const cache = regexCache(context);
  const cached = cache.get(source);
  if (cached !== undefined) {
    if (cached instanceof Error) throw builtinError(name, cached.message);
    return cached;
  }
  let compiled: CompiledRegex | Error;
  try {
    compiled = compileRe2(source);
  } catch (error) {
    compiled = new Error(error instanceof Error ? error.message : String(error));
  }
  if (cache.size < MAX_CACHED) cache.set(source, compiled);
  if (compiled instanceof Error) throw builtinError(name, compiled.message);
  return compiled;
}

export function regexMatches(re: CompiledRegex, s: string): boolean {
  return re.test(s);
}

/** Go's `Regexp.Split(s, -1)`, including its handling of empty matches. */
function split(re: CompiledRegex, s: string, emptyPattern: boolean): string[] {
  if (!emptyPattern && s === '') return [''];
  const matches = re.findAll(s, -1, false);
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const [start = 0, stop = 0] of matches) {
    end = start;
    if (stop !== 0) out.push(s.slice(beg, end));
    beg = stop;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go's `Regexp.Expand` template syntax: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(
  template: string,
  s: string,
  groups: readonly number[],
  names: Readonly<Record<string, number>>,
): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      out += template.slice(i);
      break;
    }
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string | undefined;
    if (template[i] === '{') {
      const close = template.indexOf('}', i);
      const candidate = close < 0 ? '' : template.slice(i + 1, close);
      if (/^\w+$/.test(candidate)) {
        name = candidate;
        i = close + 1;
      }
    } else {
      const m = /^\w+/.exec(template.slice(i));
      if (m) {
        name = m[0];
        i += name.length;
      }
    }
    if (name === undefined) {
      out += '$';
      continue;
    }
    const group = /^\d+$/.test(name) ? Number(name) : names[name];
    if (group === undefined) continue;
    const start = groups[2 * group];
    const end = groups[2 * group + 1];
    if (start !== undefined && end !== undefined && start >= 0) out += s.slice(start, end);
  }
  return out;
}

function replaceAll(re: CompiledRegex, s: string, template: string): string {
  const matches = re.findAll(s, -1, true);
  let out = '';
  let last = 0;
  for (const groups of matches) {
    out += s.slice(last, groups[0]);
    out += expand(template, s, groups, re.names);
    last = groups[1] ?? last;
  }
  return out + s.slice(last);
}

/** Go's `regexp.QuoteMeta`. */
function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, (c) => `\\${c}`);
}

/**
 * The pattern of a `regex.template_match` template: text outside the delimiters is literal,
 * text inside (delimiters may nest) is a regular expression, the whole anchored.
 */
function templatePattern(name: string, template: string, open: string, close: string): string {
  let pattern = '^';
  let level = 0;
  let start = 0;
  let end = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c === open) {
      level++;
      if (level === 1) start = i;
    } else if (c === close) {
      level--;
      if (level < 0) throw builtinError(name, `unbalanced braces in ${JSON.stringify(template)}`);
      if (level === 0) {
        pattern += `${quoteMeta(template.slice(end, start))}(${template.slice(start + 1, i)})`;
        end = i + 1;
      }
    }
  }
  if (level !== 0) throw builtinError(name, `unbalanced braces in ${JSON.stringify(template)}`);
  return `${pattern}${quoteMeta(template.slice(end))}$`;
}

export const REGEX_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'regex.template_match',
    arity: 4,
    implementation: (args, context) => {
      const name = 'regex.template_match';
      const template = stringArg(name, args, 0);
      const subject = stringArg(name, args, 1);
      const open = stringArg(name, args, 2);
      const close = stringArg(name, args, 3);
      for (const [what, d] of [
        ['start', open],
        ['end', close],
      ] as const) {
        if (d.length !== 1) {
          throw builtinError(
            name,
            `${what} delimiter has to be exactly one character long but is ${d.length} long`,
          );
        }
      }
      const pattern = templatePattern(name, template, open, close);
      return bool(regexMatches(compileRegex(name, pattern, context), subject));
    },
  },
  ...['regex.match', 're_match'].map(
    (name): BuiltinDefinition => ({
      name,
      arity: 2,
      // re_match is the deprecated spelling, for v0 modules.
      ...(name === 're_match' ? { deprecated: true } : {}),
      implementation: (args, context) =>
        bool(
          regexMatches(
            compileRegex(name, stringArg(name, args, 0), context),
            stringArg(name, args, 1),
          ),
        ),
    }),
  ),
  {
    name: 'regex.is_valid',
    arity: 1,
    implementation: (args, context) => {
      const pattern = args[0] as Value;
      if (pattern.kind !== 'string') return bool(false);
      try {
        compileRegex('regex.is_valid', pattern.value, context);
        return bool(true);
      } catch {
        return bool(false);
      }
    },
  },
  {
    name: 'regex.find_n',
    arity: 3,
    implementation: (args, context) => {
      const name = 'regex.find_n';
      const re = compileRegex(name, stringArg(name, args, 0), context);
      const s = stringArg(name, args, 1);
      const found = re.findAll(s, safeIntegerArg(name, args, 2), false);
      return arr(found.map(([start, end]) => str(s.slice(start, end))));
    },
  },
  {
    name: 'regex.find_all_string_submatch_n',
    arity: 3,
    implementation: (args, context) => {
      const name = 'regex.find_all_string_submatch_n';
      const re = compileRegex(name, stringArg(name, args, 0), context);
      const s = stringArg(name, args, 1);
      const found = re.findAll(s, safeIntegerArg(name, args, 2), true);
      return arr(
        found.map((bounds) => {
          const groups: Value[] = [];
          for (let g = 0; g < bounds.length; g += 2) {
            const start = bounds[g] as number;
            groups.push(str(start < 0 ? '' : s.slice(start, bounds[g + 1])));
          }
          return arr(groups);
        }),
      );
    },
  },
  {
    name: 'regex.split',
    arity: 2,
    implementation: (args, context) => {
      const pattern = stringArg('regex.split', args, 0);
      const re = compileRegex('regex.split', pattern, context);
      return arr(split(re, stringArg('regex.split', args, 1), pattern === '').map(str));
    },
  },
  {
    name: 'regex.replace',
    arity: 3,
    implementation: (args, context) => {
      const name = 'regex.replace';
      const s = stringArg(name, args, 0);
      const re = compileRegex(name, stringArg(name, args, 1), context);
      return str(replaceAll(re, s, stringArg(name, args, 2)));
    },
  },
];
