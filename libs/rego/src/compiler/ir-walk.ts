/** Walks over compiled terms and bodies, for the scheduler and the recursion check. */
import type { Body, Expr, Lit, Term } from './ir.js';

export function walkTerm(term: Term, visit: (t: Term) => void): void {
  visit(term);
  switch (term.k) {
    case 'input':
    case 'data':
      for (const p of term.path) walkTerm(p, visit);
      return;
    case 'ref':
      walkTerm(term.head, visit);
      for (const p of term.path) walkTerm(p, visit);
      return;
    case 'arr':
    case 'set':
      for (const i of term.items) walkTerm(i, visit);
      return;
    case 'obj':
      for (const [k, v] of term.entries) {
        walkTerm(k, visit);
        walkTerm(v, visit);
      }
      return;
    case 'acompr':
    case 'scompr':
      walkTerm(term.term, visit);
      walkBody(term.body, visit);
      return;
    case 'ocompr':
      walkTerm(term.key, visit);
      walkTerm(term.value, visit);
      walkBody(term.body, visit);
      return;
    case 'call':
      for (const a of term.args) walkTerm(a, visit);
      return;
    default:
      return;
  }
}

export function walkBody(body: Body, visit: (t: Term) => void): void {
  for (const lit of body) walkLit(lit, visit);
}

export function walkLit(lit: Lit, visit: (t: Term) => void): void {
  walkExpr(lit.expr, visit);
  if (lit.withs) for (const w of lit.withs) walkTerm(w.value, visit);
}

function walkExpr(expr: Expr, visit: (t: Term) => void): void {
  switch (expr.k) {
    case 'term':
      walkTerm(expr.term, visit);
      return;
    case 'unify':
      walkTerm(expr.a, visit);
      walkTerm(expr.b, visit);
      return;
    case 'somein':
      if (expr.key) walkTerm(expr.key, visit);
      walkTerm(expr.value, visit);
      walkTerm(expr.coll, visit);
      return;
    case 'every':
      if (expr.key) walkTerm(expr.key, visit);
      walkTerm(expr.value, visit);
      walkTerm(expr.domain, visit);
      walkBody(expr.body, visit);
      return;
    case 'true':
      return;
  }
}
