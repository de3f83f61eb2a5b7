/**
 * What an engine offers a policy, in the shape of OPA's capabilities files (`opa build
 * --capabilities`, `opa check --capabilities`), so that tooling written for OPA can check a
 * policy against this engine. Builtins carry OPA's declarations (`builtin-declarations.ts`);
 * a builtin of the registry that OPA does not declare gets one from its arity, with operands
 * and result of type `any`.
 */
import type { BuiltinDefinition } from '../builtins/builtin.js';
import type {
  BuiltinDeclaration,
  Capabilities,
  OpaType,
} from '../builtins/builtin-declarations.js';
import { BUILTIN_DECLARATIONS } from '../builtins/builtin-declarations.js';
import type { NativeName } from '../compiler/ir.js';
import { FUTURE_KEYWORDS } from '../parser/token-cursor.js';

/**
 * OPA builtins that the compiler and evaluator provide instead of the registry: the
 * assignment and unification operators, membership (`in`), `print` (which OPA rewrites to
 * `internal.print`), and the `walk` relation.
 */
const LANGUAGE_BUILTINS: readonly (NativeName | 'assign' | 'eq' | 'internal.print')[] = [
  'assign',
  'eq',
  'internal.member_2',
  'internal.member_3',
  'internal.print',
  'print',
  'walk',
];

/**
 * Language features, named as OPA names them: `rego_v1` (v1 syntax), `keywords_in_refs`
 * (keywords as rule and reference names: `x.if`), and `template_strings` when the registry
 * has the builtin template strings compile to.
 */
function features(builtins: ReadonlyMap<string, BuiltinDefinition>): string[] {
  const list = ['keywords_in_refs', 'rego_v1'];
  if (builtins.has('internal.template_string')) list.push('template_strings');
  return list;
}

const ANY: OpaType = { type: 'any' };

function declarationOf(definition: BuiltinDefinition): BuiltinDeclaration {
  const declared = BUILTIN_DECLARATIONS.get(definition.name);
  if (declared !== undefined) return declared;
  return {
    name: definition.name,
    decl: {
      args: Array.from({ length: definition.arity }, () => ANY),
      result: ANY,
      type: 'function',
    },
    ...(definition.deprecated ? { deprecated: true } : {}),
    ...(definition.nondeterministic ? { nondeterministic: true } : {}),
  };
}

/** The capabilities of an engine with these builtins, builtins sorted by name as OPA sorts them. */
export function engineCapabilities(builtins: ReadonlyMap<string, BuiltinDefinition>): Capabilities {
  const entries = new Map<string, BuiltinDeclaration>();
  for (const name of LANGUAGE_BUILTINS) {
    const declared = BUILTIN_DECLARATIONS.get(name);
    if (declared !== undefined) entries.set(name, declared);
  }
  for (const definition of builtins.values()) {
    entries.set(definition.name, declarationOf(definition));
  }
  const sorted = [...entries.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return {
    builtins: sorted,
    future_keywords: [...FUTURE_KEYWORDS].sort(),
    features: features(builtins),
  };
}
