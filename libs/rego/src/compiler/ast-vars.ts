/** Variables and names in AST terms: what a literal declares, the vars a term mentions, dotted names. */
import type { AstLiteral, AstTerm, Loc } from '../ast/ast.js';

/** Names a literal declares with `some`, `some … in` or `:=`. */
export function explicitNames(lit: AstLiteral): string[] {
  const names: string[] = [];
  const add = (t: AstTerm) =>
    visitVars(t, (name) => {
      if (name !== '_') names.push(name);
    });
  const e = lit.expr;
  if (e.type === 'some') e.vars.forEach(add);
  else if (e.type === 'somein') {
    if (e.key) add(e.key);
    add(e.value);
  } else if (e.type === 'assign') add(e.left);
  return names;
}

/** Visits the variables of a term, not descending into comprehension bodies. */
export function visitVars(t: AstTerm, visit: (name: string, loc: Loc) => void): void {
  switch (t.type) {
    case 'var':
      visit(t.name, t.loc);
      return;
    case 'ref':
      visitVars(t.head, visit);
      for (const p of t.path) visitVars(p, visit);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) visitVars(i, visit);
      return;
    case 'object':
      for (const [k, v] of t.entries) {
        visitVars(k, visit);
        visitVars(v, visit);
      }
      return;
    case 'call':
      for (const a of t.args) visitVars(a, visit);
      return;
    default:
      return;
  }
}

/** The dotted names of a var or a ref of constant strings (`a.b.c`), else undefined. */
export function plainPath(t: AstTerm): string[] | undefined {
  if (t.type === 'var') return [t.name];
  if (t.type !== 'ref' || t.head.type !== 'var') return undefined;
  const parts = [t.head.name];
  for (const p of t.path) {
    if (p.type !== 'scalar' || p.value.kind !== 'string') return undefined;
    parts.push(p.value.value);
  }
  return parts;
}
