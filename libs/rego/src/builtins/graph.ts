/**
 * Graph builtins on graphs given as node → array or set of neighbours: `graph.reachable`
 * (the nodes reachable from a start set) and `graph.reachable_paths` (the paths to them).
 */

import type { ObjectValue, Value } from '../value/value.js';
import { arr, set } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { BuiltinDefinition } from './builtin.js';
import { objectArg, operandError, sortedSetItems } from './operands.js';

/** Vertices of an array or a set; nothing for other values, as OPA ignores them. */
function vertices(value: Value): readonly Value[] {
  if (value.kind === 'array') return value.items;
  if (value.kind === 'set') return sortedSetItems(value);
  return [];
}

function startNodes(name: string, value: Value): readonly Value[] {
  if (value.kind !== 'array' && value.kind !== 'set')
    throw operandError(name, 2, ['array', 'set'], value);
  return vertices(value);
}

function edgesOf(graph: ObjectValue, node: Value): Value | undefined {
  return graph.entries.get(keyOf(node))?.[1];
}

/** Adds every maximal path from `root` (a path ends at a leaf, before a cycle or a missing node). */
function addPaths(
  graph: ObjectValue,
  root: Value,
  path: readonly Value[],
  out: Value[],
  reached: ReadonlySet<string>,
): void {
  const edges = edgesOf(graph, root);
  if (edges === undefined) {
    out.push(arr(path));
    return;
  }
  const here = [...path, root];
  const next = vertices(edges);
  if (next.length === 0) {
    out.push(arr(here));
    return;
  }
  const seen = new Set(reached).add(keyOf(root));
  for (const neighbour of next) {
    if (seen.has(keyOf(neighbour))) out.push(arr(here));
    else addPaths(graph, neighbour, here, out, seen);
  }
}

export const GRAPH_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'graph.reachable',
    arity: 2,
    implementation: (args) => {
      const graph = objectArg('graph.reachable', args, 0);
      const queue = [...startNodes('graph.reachable', args[1] as Value)];
      const reached = new Map<string, Value>();
      // Nodes missing from the graph are not reached, as in OPA.
      for (let i = 0; i < queue.length; i++) {
        const node = queue[i] as Value;
        const key = keyOf(node);
        const edges = edgesOf(graph, node);
        if (edges === undefined || reached.has(key)) continue;
        reached.set(key, node);
        for (const neighbour of vertices(edges))
          if (!reached.has(keyOf(neighbour))) queue.push(neighbour);
      }
      return set(reached.values());
    },
  },
  {
    name: 'graph.reachable_paths',
    arity: 2,
    implementation: (args) => {
      const graph = objectArg('graph.reachable_paths', args, 0);
      const paths: Value[] = [];
      for (const node of startNodes('graph.reachable_paths', args[1] as Value)) {
        const edges = edgesOf(graph, node);
        if (edges === undefined) continue;
        const next = vertices(edges);
        if (next.length === 0) paths.push(arr([node]));
        for (const neighbour of next)
          addPaths(graph, neighbour, [node], paths, new Set([keyOf(node)]));
      }
      return set(paths);
    },
  },
];
