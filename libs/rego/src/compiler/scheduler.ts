/**
 * Orders the literals of a body so that each runs once the variables it reads are bound,
 * as OPA's compiler does, and reports variables nothing can bind as unsafe.
 */
import type { Loc } from '../ast/ast.js';
import { RegoCompileError } from '../errors/rego-error.js';
import type { Body, Lit, Term } from './ir.js';
import { walkBody, walkTerm } from './ir-walk.js';
import { constantKeyPairs } from './object-pairs.js';

interface Usage {
  readonly needs: Set<number>;
  /** Bound by unification or as an output. */
  readonly binds: Set<number>;
  /** Bound by iterating a collection (`xs[i]`). */
  readonly iters: Set<number>;
  /** Unification also needs one side fully known (per element, for two array literals). */
  ready?: (isBound: (slot: number) => boolean) => boolean;
}

function valueNeeds(t: Term): Set<number> {
  const u: Usage = { needs: new Set(), binds: new Set(), iters: new Set() };
  collect(t, false, u);
  return u.needs;
}

/**
 * Whether the evaluator can unify `a` with `b` once `isBound` variables are bound: one side
 * known, or two arrays (or objects with the same constant keys) whose pairs can be unified in
 * order, each pair binding variables that later pairs may need (`[x, y] = [1, x]`).
 */
function unifyReady(a: Term, b: Term, isBound: (slot: number) => boolean): boolean {
  const bound = new Set<number>();
  const ready = (x: Term, y: Term): boolean => {
    const pairs =
      x.k === 'arr' && y.k === 'arr' && x.items.length === y.items.length
        ? ([x.items, y.items] as const)
        : x.k === 'obj' && y.k === 'obj'
          ? constantKeyPairs(x, y)
          : undefined;
    if (pairs !== undefined) return pairs[0].every((item, i) => ready(item, pairs[1][i]!));
    const known = (t: Term) => [...valueNeeds(t)].every((s) => isBound(s) || bound.has(s));
    if (!known(x) && !known(y)) return false;
    for (const t of [x, y]) {
      walkTerm(t, (v) => {
        if (v.k === 'var') bound.add(v.slot);
      });
    }
    return true;
  };
  return ready(a, b);
}

function collect(term: Term, pattern: boolean, u: Usage): void {
  switch (term.k) {
    case 'val':
      return;
    case 'var':
      (pattern ? u.binds : u.needs).add(term.slot);
      return;
    case 'input':
    case 'data':
      collectPath(term.path, u);
      return;
    case 'ref':
      collect(term.head, false, u);
      collectPath(term.path, u);
      return;
    case 'arr':
      for (const i of term.items) collect(i, pattern, u);
      return;
    case 'set':
      for (const i of term.items) collect(i, false, u);
      return;
    case 'obj':
      for (const [k, v] of term.entries) {
        collect(k, false, u);
        collect(v, pattern, u);
      }
      return;
    case 'call': {
      const n = term.args.length;
      term.args.forEach((a, i) => {
        collect(a, term.hasOutput && i === n - 1, u);
      });
      return;
    }
    default:
      // Comprehensions read whatever outer variables they mention.
      walkTerm(term, (t) => {
        if (t.k === 'var') u.needs.add(t.slot);
      });
  }
}

function collectPath(path: readonly Term[], u: Usage): void {
  for (const p of path) {
    if (p.k === 'var') u.iters.add(p.slot);
    // A composite key (`r[[1, x]]`) is a pattern: its variables are bound by the lookup.
    else collect(p, p.k === 'arr' || p.k === 'obj', u);
  }
}

function usageOf(lit: Lit): Usage {
  const u: Usage = { needs: new Set(), binds: new Set(), iters: new Set() };
  const e = lit.expr;
  switch (e.k) {
    case 'term':
      collect(e.term, false, u);
      break;
    case 'unify':
      collect(e.a, true, u);
      collect(e.b, true, u);
      u.ready = (isBound) => unifyReady(e.a, e.b, isBound);
      break;
    case 'somein':
      if (e.key) collect(e.key, true, u);
      collect(e.value, true, u);
      collect(e.coll, false, u);
      break;
    case 'every':
      collect(e.domain, false, u);
      walkBody(e.body, (t) => {
        if (t.k === 'var') u.needs.add(t.slot);
      });
      break;
    case 'true':
      break;
  }
  if (lit.withs) for (const w of lit.withs) collect(w.value, false, u);
  return u;
}

/**
 * Reorders `body`. `local` are the slots this body must bind itself; others are bound by
 * an enclosing scope. `outputs` are head terms evaluated after the body: their variables
 * must be bound by it.
 */
export function scheduleBody(
  body: readonly Lit[],
  local: ReadonlySet<number>,
  names: readonly string[],
  outputs: readonly { term: Term; loc: Loc }[],
  source: string | undefined,
): Body {
  const usages = body.map(usageOf);
  // A negated literal's iteration variables are its own unless another literal mentions them.
  const mentions = new Map<number, number>();
  for (const u of usages) {
    for (const s of new Set([...u.needs, ...u.binds, ...u.iters]))
      mentions.set(s, (mentions.get(s) ?? 0) + 1);
  }
  const bound = new Set<number>();
  const isBound = (s: number) => !local.has(s) || bound.has(s);
  const order: Lit[] = [];
  const pending = body.map((lit, i) => ({ lit, u: usages[i]! }));
  const needsOf = (lit: Lit, u: Usage): number[] => {
    if (!lit.negated) return [...u.needs];
    const needs = [...u.needs, ...u.binds];
    for (const s of u.iters) if ((mentions.get(s) ?? 0) > 1) needs.push(s);
    return needs;
  };
  while (pending.length > 0) {
    const index = pending.findIndex(
      ({ lit, u }) =>
        needsOf(lit, u).every(isBound) &&
        (lit.negated || u.ready === undefined || u.ready(isBound)),
    );
    if (index < 0) {
      const { lit, u } = pending[0]!;
      const unbound = [...needsOf(lit, u), ...u.binds].filter((s) => !isBound(s));
      const slot = unbound[0] ?? -1;
      throw new RegoCompileError(
        `var ${names[slot] ?? '?'} is unsafe`,
        lit.loc,
        source,
        'rego_unsafe_var_error',
      );
    }
    const { lit, u } = pending.splice(index, 1)[0]!;
    order.push(lit);
    if (!lit.negated) {
      for (const s of u.binds) bound.add(s);
      for (const s of u.iters) bound.add(s);
    }
  }
  for (const { term, loc } of outputs) {
    const u: Usage = { needs: new Set(), binds: new Set(), iters: new Set() };
    collect(term, false, u);
    for (const s of u.needs) {
      if (!isBound(s)) {
        throw new RegoCompileError(
          `var ${names[s] ?? '?'} is unsafe`,
          loc,
          source,
          'rego_unsafe_var_error',
        );
      }
    }
    // Iteration in a head term binds too (`p contains x[_]`), so only plain needs count.
    for (const s of u.iters) bound.add(s);
  }
  return order;
}
