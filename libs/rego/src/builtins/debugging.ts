/** Debugging builtins. `print` needs the evaluator (undefined operands, locations) and lives there; `trace` is a no-op that succeeds. */
import { TRUE } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { stringArg } from './operands.js';

export const DEBUGGING_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'trace',
    arity: 1,
    implementation: (args) => {
      stringArg('trace', args, 0);
      return TRUE;
    },
  },
];
