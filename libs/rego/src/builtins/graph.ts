/** `graph.reachable`: the nodes reachable from a start set in a graph given as node → neighbours. */

import type { Value } from '../value/value.js';
import { set } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { BuiltinDefinition } from './builtin.js';
import { objectArg, operandError } from './operands.js';

/** Members of an array, set or object (its values); nothing for other values. */
function members(value: Value): readonly Value[] {
  if (value.kind === 'array') return value.items;
  if (value.kind === 'set') return [...value.items.values()];
  if (value.kind === 'object') return [...value.entries.values()].map(([, v]) => v);
  return [];
}

export const GRAPH_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'graph.reachable',
    arity: 2,
    implementation: (args) => {
      const graph = objectArg('graph.reachable', args, 0);
      const initial = args[1] as Value;
      if (initial.kind !== 'array' && initial.kind !== 'set') {
        throw operandError('graph.reachable', 2, ['array', 'set'], initial);
      }
      const queue = [...members(initial)];
      const reached = new Map<string, Value>();
      // Nodes missing from the graph are not reached, as in OPA.
      for (let i = 0; i < queue.length; i++) {
        const node = queue[i] as Value;
        const key = keyOf(node);
        const edges = graph.entries.get(key)?.[1];
        if (edges === undefined || reached.has(key)) continue;
        reached.set(key, node);
        for (const neighbour of members(edges))
          if (!reached.has(keyOf(neighbour))) queue.push(neighbour);
      }
      return set(reached.values());
    },
  },
];
