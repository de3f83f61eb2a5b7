/**
 * Renders values in Rego term syntax, as OPA's `Value.String()` does: the text `print`
 * writes for non-strings and `sprintf` substitutes for composite operands.
 */

import type { RegoNumber, Value } from '../../value/value.js';
import { compareValues } from '../../value/value-compare.js';
import { goQuote } from './go-quote.js';

/** Rego text of a value: `[1, "a"]`, `{"k": {1, 2}}`, `set()`. Sets and object keys sorted. */
export function formatTerm(value: Value): string {
  switch (value.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return value.value ? 'true' : 'false';
    case 'number':
      return formatNumber(value.value);
    case 'string':
      return goQuote(value.value);
    case 'array':
      return `[${value.items.map(formatTerm).join(', ')}]`;
    case 'set': {
      if (value.items.size === 0) return 'set()';
      const items = [...value.items.values()].sort(compareValues);
      return `{${items.map(formatTerm).join(', ')}}`;
    }
    case 'object': {
      const entries = [...value.entries.values()].sort((a, b) => compareValues(a[0], b[0]));
      return `{${entries.map(([k, v]) => `${formatTerm(k)}: ${formatTerm(v)}`).join(', ')}}`;
    }
  }
}

/** A number as JSON writes it: integers in full, floats in the shortest round-trip form. */
export function formatNumber(n: RegoNumber): string {
  if (typeof n === 'bigint') return n.toString();
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return Object.is(n, -0) ? '0' : n.toFixed(0);
  return String(n);
}

/**
 * One `print` operand: strings raw, other values in Rego syntax, an undefined operand
 * as `<undefined>` (OPA prints instead of failing the rule).
 */
export function formatPrintOperand(value: Value | undefined): string {
  if (value === undefined) return '<undefined>';
  return value.kind === 'string' ? value.value : formatTerm(value);
}

/** The line `print(a, b, …)` writes: operands joined by spaces. */
export function formatPrintLine(operands: readonly (Value | undefined)[]): string {
  return operands.map(formatPrintOperand).join(' ');
}
