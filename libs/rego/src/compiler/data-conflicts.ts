/**
 * OPA's path-conflict check between rules and base data: a rule may not define a document
 * that base data also defines, nor one below a base value that is not an object. OPA
 * refuses such a policy (`conflicting rule for data path a/b found`) instead of letting
 * either side win silently.
 */
import { RegoCompileError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import type { TreeNode } from './ir.js';

/** Below a path that base data does not have (under an object). */
const ABSENT: unique symbol = Symbol('absent');
/** Below a base value that is not an object: every rule here conflicts with it. */
const BLOCKED: unique symbol = Symbol('blocked');

type BaseAt = Value | typeof ABSENT | typeof BLOCKED;

/**
 * Throws `RegoCompileError` at the first rule (in tree order) whose path base data defines.
 * `sourceOf` gives a file's text, to show the rule's line.
 */
export function checkDataConflicts(
  tree: TreeNode,
  data: Value,
  sourceOf: (file: string) => string | undefined,
): void {
  const visit = (node: TreeNode, base: BaseAt): void => {
    const rules = node.ruleSet;
    if (rules !== undefined && base !== ABSENT) {
      const loc = rules.rules[0]?.loc ??
        rules.defaultRule?.loc ?? { file: node.path.join('/'), line: 1, column: 1 };
      throw new RegoCompileError(
        `conflicting rule for data path ${node.path.join('/')} found`,
        loc,
        sourceOf(loc.file),
      );
    }
    for (const [name, child] of node.children) visit(child, below(base, name));
  };
  for (const [name, child] of tree.children) visit(child, below(data, name));
}

function below(base: BaseAt, name: string): BaseAt {
  if (base === ABSENT || base === BLOCKED) return base;
  if (base.kind !== 'object') return BLOCKED;
  return base.entries.get(`"${name}`)?.[1] ?? ABSENT;
}
