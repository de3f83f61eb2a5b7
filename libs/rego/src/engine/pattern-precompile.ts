/**
 * Regular expressions compiled with the policy instead of by the first query that reaches
 * them. A detector's pattern often runs only when the prompt holds one of its trigger words,
 * so without this the first such prompt after a start or a policy load paid for compiling it
 * (translating RE2 to JavaScript and proving the search linear): tenths of a second.
 *
 * Which strings are patterns is read from the policy, not guessed from their text: the
 * pattern operand of every regex builtin call is traced back to where its value comes from —
 * a constant; a rule set that no input changes (`input-free-rules.ts`), with the path taken
 * into its value (`detector.pattern` for each `detector` in a table); a variable bound in the
 * same body; a function's parameter, through what its callers pass. Operands computed from
 * the input are left to the queries that meet them.
 */
import type { CompiledPolicy } from '../compiler/compiler.js';
import type { CompiledRule, RuleSet, Term } from '../compiler/ir.js';
import { walkBody, walkTerm } from '../compiler/ir-walk.js';
import type { Value } from '../value/value.js';
import { keyOf } from '../value/value-key.js';

/** Regex builtins and the position of their pattern operand. */
const PATTERN_OPERAND: ReadonlyMap<string, number> = new Map([
  ['regex.match', 0],
  ['re_match', 0],
  ['regex.find_n', 0],
  ['regex.find_all_string_submatch_n', 0],
  ['regex.split', 0],
  ['regex.replace', 1],
  ['regex.is_valid', 0],
]);

/** The most strings compiled ahead for one policy and data: the engine's pattern cache is finite. */
export const MAX_PRECOMPILED = 400;

/** How deep a variable is traced through other variables and parameters. */
const MAX_TRACE = 6;

/** A step into a value: a constant key, or every element (`*`). */
type Step = { readonly key: Value } | '*';

/** Where the patterns of one call site come from. */
export type PatternSource =
  | { readonly builtin: string; readonly pattern: string }
  | { readonly builtin: string; readonly ruleSet: RuleSet; readonly steps: readonly Step[] };

/** Finds where the patterns of a compiled policy's regex calls come from. */
export function patternSources(
  policy: CompiledPolicy,
  inputFree: readonly boolean[],
): readonly PatternSource[] {
  // What the callers of each function pass, by argument position, with the caller's rule.
  const passed = new Map<RuleSet, { term: Term; rs: RuleSet; rule: CompiledRule }[][]>();
  const calls: { builtin: string; operand: Term; rs: RuleSet; rule: CompiledRule }[] = [];
  forEachRuleTerm(policy, (rs, rule, t) => {
    if (t.k !== 'call') return;
    if (t.fn.kind === 'user') {
      const byPosition = passed.get(t.fn.ruleSet) ?? [];
      t.args.forEach((term, i) => {
        byPosition[i] ??= [];
        byPosition[i].push({ term, rs, rule });
      });
      passed.set(t.fn.ruleSet, byPosition);
      return;
    }
    if (t.fn.kind !== 'builtin') return;
    const at = PATTERN_OPERAND.get(t.fn.def.name);
    const operand = at === undefined ? undefined : t.args[at];
    if (operand !== undefined) calls.push({ builtin: t.fn.def.name, operand, rs, rule });
  });

  const out = new Map<string, PatternSource>();
  const trace = (
    builtin: string,
    term: Term,
    rs: RuleSet,
    rule: CompiledRule,
    steps: readonly Step[],
    depth: number,
  ): void => {
    if (depth > MAX_TRACE) return;
    switch (term.k) {
      case 'val':
        if (steps.length === 0 && term.v.kind === 'string')
          out.set(`c${term.v.value}`, { builtin, pattern: term.v.value });
        return;
      case 'data': {
        const at = term.rule;
        if (at === undefined) return;
        const ruleSet = at.node.ruleSet!;
        if (inputFree[ruleSet.id] !== true || ruleSet.kind === 'function') return;
        const all = [...term.path.slice(at.next).map(stepOf), ...steps];
        out.set(`r${ruleSet.id}:${all.map(stepKey).join('/')}`, { builtin, ruleSet, steps: all });
        return;
      }
      case 'ref':
        trace(builtin, term.head, rs, rule, [...term.path.map(stepOf), ...steps], depth + 1);
        return;
      case 'var': {
        const slot = term.slot;
        // Bound in a body of the rule: `some _, x in coll`, or `x := term`.
        for (const branch of rule.branches) {
          for (const lit of branch.body) {
            const e = lit.expr;
            if (e.k === 'somein' && e.value.k === 'var' && e.value.slot === slot)
              trace(builtin, e.coll, rs, rule, ['*', ...steps], depth + 1);
            if (e.k === 'unify') {
              if (e.a.k === 'var' && e.a.slot === slot)
                trace(builtin, e.b, rs, rule, steps, depth + 1);
              if (e.b.k === 'var' && e.b.slot === slot)
                trace(builtin, e.a, rs, rule, steps, depth + 1);
            }
          }
        }
        // A parameter: what the callers pass in its position.
        if (rs.kind !== 'function') return;
        rule.args.forEach((param, i) => {
          if (param.k !== 'var' || param.slot !== slot) return;
          for (const arg of passed.get(rs)?.[i] ?? [])
            trace(builtin, arg.term, arg.rs, arg.rule, steps, depth + 1);
        });
        return;
      }
      default:
        return;
    }
  };
  for (const { builtin, operand, rs, rule } of calls) trace(builtin, operand, rs, rule, [], 0);
  return [...out.values()];
}

/** The strings found by following `steps` into a value (all strings below where they end). */
export function stringsAt(value: Value, steps: readonly Step[], out: Set<string>): void {
  if (steps.length === 0) {
    stringsOf(value, out);
    return;
  }
  const [step, ...rest] = steps as [Step, ...Step[]];
  if (step === '*') {
    for (const child of childrenOf(value)) stringsAt(child, rest, out);
    return;
  }
  const child =
    value.kind === 'object'
      ? value.entries.get(keyOf(step.key))?.[1]
      : value.kind === 'array' && step.key.kind === 'number'
        ? value.items[Number(step.key.value)]
        : undefined;
  if (child !== undefined) stringsAt(child, rest, out);
}

function stringsOf(value: Value, out: Set<string>): void {
  if (value.kind === 'string') out.add(value.value);
  else for (const child of childrenOf(value)) stringsOf(child, out);
}

function childrenOf(value: Value): Iterable<Value> {
  switch (value.kind) {
    case 'array':
      return value.items;
    case 'set':
      return value.items.values();
    case 'object':
      return [...value.entries.values()].map(([, v]) => v);
    default:
      return [];
  }
}

function stepOf(seg: Term): Step {
  return seg.k === 'val' ? { key: seg.v } : '*';
}

function stepKey(step: Step): string {
  return step === '*' ? '*' : keyOf(step.key);
}

/** Visits every term of every rule (heads, arguments, bodies, values). */
function forEachRuleTerm(
  policy: CompiledPolicy,
  visit: (rs: RuleSet, rule: CompiledRule, t: Term) => void,
): void {
  for (const rs of policy.ruleSets) {
    const rules = rs.defaultRule === undefined ? rs.rules : [...rs.rules, rs.defaultRule];
    for (const rule of rules) {
      const each = (t: Term): void => visit(rs, rule, t);
      for (const t of rule.suffix) walkTerm(t, each);
      for (const t of rule.args) walkTerm(t, each);
      for (const branch of rule.branches) {
        walkTerm(branch.value, each);
        walkBody(branch.body, each);
      }
    }
  }
}
