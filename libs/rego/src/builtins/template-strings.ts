/**
 * `internal.template_string`, what template strings (`$"…{expr}…"`) compile to. Its operand
 * is an array of the literal text parts (strings) and, for each interpolation, the set of the
 * expression's values: strings render raw, other values as Rego text (as `print` writes
 * them), an empty set (undefined expression) as `<undefined>`.
 */
import type { Value } from '../value/value.js';
import { str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { arrayArg, builtinError, operandError } from './operands.js';
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
  if (part.kind === 'string') return part.value;
  if (part.kind !== 'set') throw operandError(NAME, 1, 'array of strings and sets', part);
  if (part.items.size > 1)
    throw builtinError(NAME, 'template-strings must not produce multiple outputs');
  const [only] = part.items.values();
  return formatPrintOperand(only);
}
