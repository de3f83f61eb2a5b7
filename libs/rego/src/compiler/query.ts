/** Compiles a query string against a compiled policy: its literals, bindings and expression slots. */
import type { BuiltinDefinition } from '../builtins/builtin.js';
import type { RegoVersion } from '../parser/parser.js';
import { parseQuery } from '../parser/parser.js';
import type { CompiledPolicy } from './compiler.js';
import type { CompiledQuery } from './ir.js';
import { Resolver } from './resolver.js';
import { FrameBuilder, Scope } from './scope.js';

export function compileQuery(
  query: string,
  policy: CompiledPolicy,
  builtins: ReadonlyMap<string, BuiltinDefinition>,
  regoVersion: RegoVersion,
): CompiledQuery {
  const literals = parseQuery(query, regoVersion);
  const resolver = new Resolver({
    packagePath: [],
    imports: new Map(),
    tree: policy.tree,
    builtins,
    source: query,
    regoVersion,
  });
  const frame = new FrameBuilder();
  const scope = new Scope(frame, undefined);
  // As OPA's query API: a lone expression reports its value even when false; in a longer
  // query, calls (comparisons) filter while other terms report their values.
  const captures = literals.map((lit) =>
    lit.expr.type === 'term' &&
    !lit.negated &&
    (literals.length === 1 || lit.expr.term.type !== 'call')
      ? frame.alloc('$expr')
      : undefined,
  );
  const { body } = resolver.resolveBody(literals, scope, [], captures);
  const bindings: { name: string; slot: number }[] = [];
  const seen = new Set<string>();
  frame.names.forEach((name, slot) => {
    if (!scope.own.has(slot) || name === '_' || name.startsWith('$') || seen.has(name)) return;
    seen.add(name);
    bindings.push({ name, slot });
  });
  return {
    body,
    frameSize: frame.size,
    bindings,
    expressions: literals.map((lit, i) => ({ text: lit.text, capture: captures[i] })),
  };
}
