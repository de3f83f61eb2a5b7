/**
 * `opa.runtime`: what the embedding program says about itself (OPA answers its `env`,
 * `version`, `commit` and configuration). The engine's `runtime` option sets it; an engine
 * given none answers an empty object, so a policy reading `opa.runtime().env.X` is undefined
 * rather than failing.
 */
import { obj } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';

const EMPTY = obj([]);

export const RUNTIME_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'opa.runtime',
    arity: 0,
    nondeterministic: true,
    implementation: (_args, context) => context.runtime ?? EMPTY,
  },
];
