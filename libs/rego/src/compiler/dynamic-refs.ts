/**
 * OPA evaluates a ref with variables in its path before the call that takes it, so that
 * `foo == input.foos[foo]` iterates the ref (binding foo) and then compares. Here a call's
 * operand that is such a ref, whose path variables the call also mentions elsewhere, moves
 * to a unification of its own before the call (`__dyn = input.foos[foo]; foo == __dyn`), and
 * the scheduler orders them. Calls whose refs iterate over variables nothing else mentions
 * stay as they are.
 */
import type { Lit, Term } from './ir.js';
import { walkTerm } from './ir-walk.js';

/** The literal, preceded by unifications of the operands that must be evaluated first. */
export function hoistDynamicRefs(lit: Lit, newSlot: () => number): Lit[] {
  if (lit.negated || lit.withs !== undefined || lit.capture !== undefined) return [lit];
  const e = lit.expr;
  if (e.k !== 'term' || e.term.k !== 'call') return [lit];
  const call = e.term;
  const hoisted: Lit[] = [];
  const args = call.args.map((arg, i) => {
    const pathVars = refPathVars(arg);
    if (pathVars.size === 0) return arg;
    const elsewhere = call.args.some(
      (other, j) => j !== i && [...varsOf(other)].some((slot) => pathVars.has(slot)),
    );
    if (!elsewhere) return arg;
    const slot = newSlot();
    const v: Term = { k: 'var', slot, name: '_' };
    hoisted.push({
      negated: false,
      expr: { k: 'unify', a: v, b: arg },
      withs: undefined,
      loc: lit.loc,
      capture: undefined,
    });
    return v;
  });
  if (hoisted.length === 0) return [lit];
  return [...hoisted, { ...lit, expr: { k: 'term', term: { ...call, args } } }];
}

/** Variables used as keys in a ref's path (`input.foos[foo]` → foo). */
function refPathVars(t: Term): Set<number> {
  const vars = new Set<number>();
  if (t.k === 'input' || t.k === 'data' || t.k === 'ref') {
    for (const p of t.path) if (p.k === 'var') vars.add(p.slot);
  }
  return vars;
}

function varsOf(t: Term): Set<number> {
  const vars = new Set<number>();
  walkTerm(t, (v) => {
    if (v.k === 'var') vars.add(v.slot);
  });
  return vars;
}
