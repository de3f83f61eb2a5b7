/**
 * `internal.template_string`, what template strings (`$"…{expr}…"`) compile to. Its operand
 * is an array of the literal text parts (strings) and, for each interpolation, the set of the
 * expression's values: strings render raw, other values as Rego text (as `print` writes
 * them), an empty set (undefined expression) as `<undefined>`; several values are a conflict.
 */
import { RegoEvalError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import { str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { arrayArg, builtinError } from './operands.js';
import { formatPrintOperand } from './sprintf/format-term.js';

const NAME = 'internal.template_string';

export const TEMPLATE_STRING_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: NAME,
    arity: 1,
    implementation: (args) => {
      let out = '';
      for (const part of arrayArg(NAME, args, 0).items) out += renderPart(part);
      return str(out);
    },
  },
];

function renderPart(part: Value): string {
  if (part.kind === 'array' || part.kind === 'object')
    throw builtinError(NAME, `illegal argument type: ${part.kind}`);
  if (part.kind !== 'set') return formatPrintOperand(part);
  if (part.items.size > 1) {
    // A conflict, as in OPA: an error in every mode, not an undefined result.
    throw new RegoEvalError(
      'eval_conflict_error',
      'template-strings must not produce multiple outputs',
    );
  }
  const [only] = part.items.values();
  return formatPrintOperand(only);
}
