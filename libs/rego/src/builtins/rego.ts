/**
 * The `rego` category: `rego.metadata.rule()` and `rego.metadata.chain()`. What they return
 * depends only on the rule the call is written in, so the compiler replaces each call with
 * its constant (`compiler/rule-metadata.ts`); the implementations here answer only where no
 * rule is active (a query): OPA's empty object and empty chain.
 */
import { arr, obj } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';

export const REGO_BUILTINS: readonly BuiltinDefinition[] = [
  { name: 'rego.metadata.rule', arity: 0, implementation: () => obj([]) },
  { name: 'rego.metadata.chain', arity: 0, implementation: () => arr([]) },
];
