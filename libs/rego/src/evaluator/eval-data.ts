/**
 * Refs under `data`: walks the rule tree and the base document together, so that virtual
 * documents (rules) and base data merge into one tree, as in OPA.
 */
import type { Term, TreeNode } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import { str } from '../value/value-builders.js';
import type { EvalContext } from './context.js';
import { step, UNDEFINED } from './context.js';
import { evalRuleSet } from './eval-rules.js';
import type { Frame, ValueK } from './eval-term.js';
import { evalPath, evalTerm } from './eval-term.js';
import { lookup, lookupConst, lookupString, setPath, sortedEntries } from './value-access.js';

type DataTerm = Extract<Term, { k: 'data' }>;

export function walkData(ctx: EvalContext, frame: Frame, term: DataTerm, k: ValueK): boolean {
  if (term.rule !== undefined && ctx.overrides === undefined) {
    // The path starts with a rule's constant ref: no need to walk the tree from the root.
    const v = evalRuleSet(ctx, term.rule.node.ruleSet!);
    return v === undefined ? false : evalPath(ctx, frame, v, term.path, term.rule.next, k);
  }
  return walkNode(ctx, frame, ctx.shared.policy.tree, ctx.data, term.path, 0, k);
}

/** The value of a data ref without iteration (its path variables are bound). */
export function dataValue(ctx: EvalContext, frame: Frame, term: DataTerm): Value | undefined {
  if (
    term.rule !== undefined &&
    ctx.overrides === undefined &&
    term.rule.next === term.path.length
  ) {
    return evalRuleSet(ctx, term.rule.node.ruleSet!);
  }
  let out: Value | undefined;
  walkData(ctx, frame, term, (v) => {
    out = v;
    return true;
  });
  return out;
}

/**
 * Descends the tree while the path names nodes without rules; at a rule (or the end of the
 * path, or an unbound variable) it takes the merged value there and follows the rest.
 */
function walkNode(
  ctx: EvalContext,
  frame: Frame,
  node: TreeNode,
  base: Value | undefined,
  path: readonly Term[],
  i: number,
  k: ValueK,
): boolean {
  for (;;) {
    if (node.ruleSet !== undefined || i === path.length || ctx.overrides?.has(node.key)) {
      const v = nodeValue(ctx, node, base);
      return v === undefined ? false : evalPath(ctx, frame, v, path, i, k);
    }
    const seg = path[i]!;
    if (seg.k === 'val' && seg.v.kind === 'string') {
      const child = node.children.get(seg.v.value);
      if (child === undefined) {
        const b = base === undefined ? undefined : lookupConst(base, seg);
        return b === undefined ? false : evalBasePath(ctx, frame, b, path, i + 1, k);
      }
      base = base === undefined ? undefined : lookupConst(base, seg);
      node = child;
      i++;
      continue;
    }
    if (seg.k === 'val') return stepInto(ctx, frame, node, base, path, i, seg.v, k);
    if (seg.k === 'var') {
      const key = frame[seg.slot];
      return key === undefined
        ? iterateNode(ctx, frame, node, base, path, i, seg.slot, k)
        : stepInto(ctx, frame, node, base, path, i, key, k);
    }
    const from = node;
    const fromBase = base;
    const at = i;
    return evalTerm(ctx, frame, seg, (v) => stepInto(ctx, frame, from, fromBase, path, at, v, k));
  }
}

/**
 * The rest of a data ref inside base data alone: as in OPA's storage, a constant number in
 * the path names an object's key as a string (`data.nested[2]` reads key "2"), while it still
 * indexes an array.
 */
function evalBasePath(
  ctx: EvalContext,
  frame: Frame,
  base: Value,
  path: readonly Term[],
  i: number,
  k: ValueK,
): boolean {
  let value = base;
  for (; i < path.length; i++) {
    const seg = path[i]!;
    if (seg.k !== 'val') break;
    const next =
      lookupConst(value, seg) ??
      (seg.v.kind === 'number' ? lookupString(value, String(seg.v.value)) : undefined);
    if (next === undefined) return false;
    value = next;
  }
  return evalPath(ctx, frame, value, path, i, k);
}

/** One step down by a computed key: into a child node, or into the base data alone. */
function stepInto(
  ctx: EvalContext,
  frame: Frame,
  node: TreeNode,
  base: Value | undefined,
  path: readonly Term[],
  i: number,
  rawKey: Value,
  k: ValueK,
): boolean {
  // Paths under data are strings: `data.x[1]` reads key "1", as OPA does.
  const key = rawKey.kind === 'number' ? str(String(rawKey.value)) : rawKey;
  const child = key.kind === 'string' ? node.children.get(key.value) : undefined;
  if (child !== undefined) {
    const b = base === undefined ? undefined : lookupString(base, (key as { value: string }).value);
    return walkNode(ctx, frame, child, b, path, i + 1, k);
  }
  const b = base === undefined ? undefined : lookup(base, key);
  return b === undefined ? false : evalBasePath(ctx, frame, b, path, i + 1, k);
}

/** An unbound variable after a node: iterate over the merged keys of rules and base data. */
function iterateNode(
  ctx: EvalContext,
  frame: Frame,
  node: TreeNode,
  base: Value | undefined,
  path: readonly Term[],
  i: number,
  slot: number,
  k: ValueK,
): boolean {
  const v = nodeValue(ctx, node, base);
  if (v === undefined || v.kind !== 'object') return false;
  for (const [key] of sortedEntries(v)) {
    step(ctx);
    frame[slot] = key;
    const stop = stepInto(ctx, frame, node, base, path, i, key, k);
    frame[slot] = undefined;
    if (stop) return true;
  }
  return false;
}

/** The whole document at a node: its rules' value, or base data merged with the values below. */
export function nodeValue(
  ctx: EvalContext,
  node: TreeNode,
  base: Value | undefined,
): Value | undefined {
  if (node.ruleSet !== undefined && node.children.size === 0 && ctx.overrides === undefined) {
    // The common case: a rule, cached by evalRuleSet itself.
    return evalRuleSet(ctx, node.ruleSet);
  }
  const cached = ctx.nodeCache?.get(node);
  if (cached !== undefined) return cached === UNDEFINED ? undefined : (cached as Value);
  const value = computeNodeValue(ctx, node, base);
  ctx.nodeCache ??= new Map();
  ctx.nodeCache.set(node, value ?? UNDEFINED);
  return value;
}

function computeNodeValue(
  ctx: EvalContext,
  node: TreeNode,
  base: Value | undefined,
): Value | undefined {
  if (ctx.overrides !== undefined) {
    const exact = ctx.overrides.get(node.key);
    if (exact !== undefined) return exact;
  }
  let value: Value | undefined;
  if (node.ruleSet !== undefined) {
    value = evalRuleSet(ctx, node.ruleSet);
    if (node.children.size === 0) return applyOverrides(ctx, node, value);
  }
  if (node.children.size === 0) {
    return base ?? (node.isPackage ? { kind: 'object', entries: new Map() } : undefined);
  }
  const entries = new Map<string, readonly [Value, Value]>();
  if (base?.kind === 'object') for (const [kk, e] of base.entries) entries.set(kk, e);
  if (value?.kind === 'object') for (const [kk, e] of value.entries) entries.set(kk, e);
  for (const [name, child] of node.children) {
    const cv = nodeValue(ctx, child, base === undefined ? undefined : lookupString(base, name));
    if (cv === undefined) continue;
    // A rule with variables in its ref (`a[p][q] := 3`) may define keys below a child that
    // other rules define too (`a.b.c := 1`): the document holds both, as in OPA.
    const fromRule = value?.kind === 'object' ? lookupString(value, name) : undefined;
    entries.set(`"${name}`, [
      str(name),
      fromRule === undefined ? cv : mergeDocuments(fromRule, cv),
    ]);
  }
  if (entries.size === 0 && base === undefined && value === undefined && !hasRules(node))
    return undefined;
  return applyOverrides(ctx, node, { kind: 'object', entries });
}

/** Two documents for one path: objects merge key by key (recursively), else `below` wins. */
function mergeDocuments(above: Value, below: Value): Value {
  if (above.kind !== 'object' || below.kind !== 'object') return below;
  const entries = new Map(above.entries);
  for (const [key, [k, v]] of below.entries) {
    const other = entries.get(key);
    entries.set(key, [k, other === undefined ? v : mergeDocuments(other[1], v)]);
  }
  return { kind: 'object', entries };
}

/**
 * Whether a node is part of the virtual document's extent: a package, a rule that is not a
 * function, or a node above either or above a function (`foo.bar(x)` makes `foo` an empty
 * object, as in OPA, though the function itself has no value).
 */
function hasRules(node: TreeNode): boolean {
  if (node.isPackage || (node.ruleSet !== undefined && node.ruleSet.kind !== 'function'))
    return true;
  for (const c of node.children.values()) {
    if (c.ruleSet?.kind === 'function' || hasRules(c)) return true;
  }
  return false;
}

/** `with data.p.x as v` where p is a rule: patch the rule's value. */
function applyOverrides(
  ctx: EvalContext,
  node: TreeNode,
  value: Value | undefined,
): Value | undefined {
  if (ctx.overrides === undefined || value === undefined) return value;
  const prefix = node.key;
  let out = value;
  for (const [key, v] of ctx.overrides) {
    if (key.length > prefix.length && key.startsWith(`${prefix}\u0000`)) {
      const rest = key.slice(prefix.length + 1).split('\u0000');
      out = setPath(out, rest, v);
    }
  }
  return out;
}
