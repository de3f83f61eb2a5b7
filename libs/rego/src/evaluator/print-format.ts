/** Text of values as `print` writes them: strings bare at top level, everything else in Rego syntax. */

import type { Value } from '../value/value.js';
import { compareValues } from '../value/value-compare.js';

export function formatPrintValue(value: Value, topLevel = false): string {
  switch (value.kind) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(value.value);
    case 'number':
      return String(value.value);
    case 'string':
      return topLevel ? value.value : JSON.stringify(value.value);
    case 'array':
      return `[${value.items.map((v) => formatPrintValue(v)).join(', ')}]`;
    case 'set': {
      if (value.items.size === 0) return 'set()';
      const items = [...value.items.values()].sort(compareValues);
      return `{${items.map((v) => formatPrintValue(v)).join(', ')}}`;
    }
    case 'object': {
      const entries = [...value.entries.values()].sort((a, b) => compareValues(a[0], b[0]));
      return `{${entries.map(([k, v]) => `${formatPrintValue(k)}: ${formatPrintValue(v)}`).join(', ')}}`;
    }
  }
}
