/**
 * The `rego` category: `rego.metadata.rule()`, `rego.metadata.chain()` and
 * `rego.parse_module` (a module's AST in OPA's JSON shape, `rego/module-json.ts`). What they return
 * depends only on the rule the call is written in, so the compiler replaces each call with
 * its constant (`compiler/rule-metadata.ts`); the implementations here answer only where no
 * rule is active (a query): OPA's empty object and empty chain.
 */
import { RegoError } from '../errors/rego-error.js';
import { parseModule } from '../parser/parser.js';
import { arr, obj } from '../value/value-builders.js';
import { fromJs } from '../value/value-json.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, stringArg } from './operands.js';
import { moduleJson } from './rego/module-json.js';

export const REGO_BUILTINS: readonly BuiltinDefinition[] = [
  { name: 'rego.metadata.rule', arity: 0, implementation: () => obj([]) },
  { name: 'rego.metadata.chain', arity: 0, implementation: () => arr([]) },
  {
    name: 'rego.parse_module',
    arity: 2,
    implementation: (args) => {
      const file = stringArg('rego.parse_module', args, 0);
      const source = stringArg('rego.parse_module', args, 1);
      try {
        return fromJs(moduleJson(parseModule(file, source, 'v1')));
      } catch (error) {
        if (error instanceof RegoError) throw builtinError('rego.parse_module', error.message);
        throw error;
      }
    },
  },
];
