/**
 * The quick path: terms that have at most one value (constants, bound variables, refs whose
 * path variables are all bound, and calls on such terms) are compiled, on first use, to
 * closures that compute the value directly, without the continuations the general evaluator
 * (`eval-term.ts`) allocates for each step. Both paths implement the same semantics; the
 * engine can be told to take the general path only, which the differential test uses to
 * check that they agree on every conformance case.
 */
import type { BuiltinDefinition } from '../builtins/builtin.js';
import type { CallTerm, Term, TreeNode } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import { arr, set } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { EvalContext } from './context.js';
import { IN_PROGRESS, UNDEFINED } from './context.js';
import { builtinFailed, callDirect } from './eval-call.js';
import { comprehensionValue } from './eval-comprehension.js';
import { dataValue } from './eval-data.js';
import { callFunction, evalRuleSet } from './eval-rules.js';
import type { Frame } from './eval-term.js';
import { generateQuick } from './quick-source.js';
import { lookup, lookupConst } from './value-access.js';

/** A term compiled to a function of the evaluation's context and frame. */
type QuickFn = (ctx: EvalContext, frame: Frame) => Value | undefined;
type PathFn = (ctx: EvalContext, frame: Frame, base: Value) => Value | undefined;

/**
 * What the quick path learns about a term, kept beside the compiled IR rather than on it, so
 * that the IR stays read-only: its compiled closure (see `quickPlan` for the slots it reads).
 * It depends on the term's shape alone, so every evaluation of a policy shares it; it goes
 * when the policy's terms do.
 */
const quickFnCache = new WeakMap<Term, QuickFn>();

/** The variables a term reads, or null when its shape rules out direct evaluation. */
function quickSlotsOf(t: Term): number[] | null {
  const slots: number[] = [];
  const visit = (x: Term): boolean => {
    switch (x.k) {
      case 'val':
        return true;
      case 'var':
        slots.push(x.slot);
        return true;
      case 'input':
      case 'data':
        return x.path.every(visit);
      case 'ref':
        return visit(x.head) && x.path.every(visit);
      case 'arr':
      case 'set':
        return x.items.every(visit);
      case 'obj':
        return x.entries.every(([k, v]) => visit(k) && visit(v));
      case 'acompr':
      case 'scompr':
      case 'ocompr':
        // One value always, and the body binds what it needs: nothing must be bound first.
        return true;
      case 'call':
        if (
          x.hasOutput ||
          (x.fn.kind === 'native' && (x.fn.name === 'print' || x.fn.name === 'walk'))
        ) {
          return false;
        }
        return x.args.every(visit);
      default:
        return false;
    }
  };
  return visit(t) ? [...new Set(slots)] : null;
}

/** `tryQuick`'s answer when the term cannot be evaluated directly now. */
export const NOT_QUICK: unique symbol = Symbol('not quick');

/**
 * A term's slots and compiled function. The function is compiled when first read: a term
 * compiled inline into its literal's or branch's function (`quick-source.ts`) never needs
 * one of its own, and compiling them all made the first evaluation after loading the
 * gateway's policy compile twice as much source.
 */
export class QuickPlan {
  private compiled: QuickFn | undefined;

  constructor(
    /** The slots the term reads: it can be evaluated directly when all are bound. */
    readonly slots: readonly number[],
    readonly term: Term,
  ) {}

  get fn(): QuickFn {
    this.compiled ??= quickFn(this.term);
    return this.compiled;
  }
}
const quickPlanCache = new WeakMap<Term, QuickPlan | null>();

/** The term's quick plan, built on first use, or null when its shape rules the quick path out. */
export function quickPlan(t: Term): QuickPlan | null {
  let plan = quickPlanCache.get(t);
  if (plan === undefined) {
    const slots = quickSlotsOf(t);
    plan = slots === null ? null : new QuickPlan(slots, t);
    quickPlanCache.set(t, plan);
  }
  return plan;
}

/**
 * `canQuick` and `quickValue` in one: the term's value (undefined when it is undefined), or
 * NOT_QUICK, before anything is evaluated, when the quick path cannot take it now. One
 * cache lookup instead of two, on the evaluator's most frequent step.
 */
export function tryQuick(
  ctx: EvalContext,
  frame: Frame,
  t: Term,
): Value | undefined | typeof NOT_QUICK {
  if (!ctx.shared.quickPath) return NOT_QUICK;
  if (t.k === 'val') return t.v;
  if (t.k === 'var') return frame[t.slot] ?? NOT_QUICK;
  const plan = quickPlan(t);
  if (plan === null) return NOT_QUICK;
  const slots = plan.slots;
  for (let i = 0; i < slots.length; i++) if (frame[slots[i]!] === undefined) return NOT_QUICK;
  return plan.fn(ctx, frame);
}

/** The term's compiled function, built on first use. */
export function quickFn(t: Term): QuickFn {
  let fn = quickFnCache.get(t);
  if (fn === undefined) {
    fn = generateQuick(t, compileQuick) ?? compileQuick(t);
    quickFnCache.set(t, fn);
  }
  return fn;
}

function compileQuick(t: Term): QuickFn {
  switch (t.k) {
    case 'val': {
      const v = t.v;
      return () => v;
    }
    case 'var': {
      const slot = t.slot;
      return (_ctx, frame) => frame[slot];
    }
    case 'input': {
      const path = compilePath(t.path);
      return (ctx, frame) => (ctx.input === undefined ? undefined : path(ctx, frame, ctx.input));
    }
    case 'data': {
      const rule = t.rule;
      if (rule === undefined) return baseDataRef(t);
      // The path starts with a rule's constant ref (`data.pkg.prompt`, `data.pkg.table[x]`):
      // outside a `with data…` the rule's value is read straight from the context's cache.
      const rs = rule.node.ruleSet!;
      const id = rs.id;
      const rest = rule.next === t.path.length ? undefined : compilePath(t.path.slice(rule.next));
      return (ctx, frame) => {
        if (ctx.overrides !== undefined) return dataValue(ctx, frame, t);
        const cached = ctx.ruleCache[id];
        const v =
          cached === undefined || cached === IN_PROGRESS
            ? evalRuleSet(ctx, rs)
            : cached === UNDEFINED
              ? undefined
              : cached;
        return v === undefined || rest === undefined ? v : rest(ctx, frame, v);
      };
    }
    case 'ref': {
      const head = quickFn(t.head);
      const path = compilePath(t.path);
      return (ctx, frame) => {
        const h = head(ctx, frame);
        return h === undefined ? undefined : path(ctx, frame, h);
      };
    }
    case 'arr':
    case 'set': {
      const items = t.items.map(quickFn);
      const isSet = t.k === 'set';
      return (ctx, frame) => {
        const values: Value[] = new Array(items.length);
        for (let i = 0; i < items.length; i++) {
          const v = items[i]!(ctx, frame);
          if (v === undefined) return undefined;
          values[i] = v;
        }
        return isSet ? set(values) : arr(values);
      };
    }
    case 'obj': {
      const keys = t.entries.map(([k]) => quickFn(k));
      const values = t.entries.map(([, v]) => quickFn(v));
      // Constant keys (the usual case) have their canonical key string computed once.
      const constKeys = t.entries.map(([k]) => (k.k === 'val' ? keyOf(k.v) : undefined));
      return (ctx, frame) => {
        const entries = new Map<string, readonly [Value, Value]>();
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!(ctx, frame);
          if (k === undefined) return undefined;
          const v = values[i]!(ctx, frame);
          if (v === undefined) return undefined;
          entries.set(constKeys[i] ?? keyOf(k), [k, v]);
        }
        return { kind: 'object', entries };
      };
    }
    case 'call': {
      const args = t.args.map(quickFn);
      const n = args.length;
      if (t.fn.kind === 'builtin') return builtinCall(t, t.fn.def, args);
      const invoke = directCall(t);
      if (n === 1) {
        const a0 = args[0]!;
        return (ctx, frame) => {
          const v0 = a0(ctx, frame);
          return v0 === undefined ? undefined : invoke(ctx, [v0]);
        };
      }
      if (n === 2) {
        const a0 = args[0]!;
        const a1 = args[1]!;
        return (ctx, frame) => {
          const v0 = a0(ctx, frame);
          if (v0 === undefined) return undefined;
          const v1 = a1(ctx, frame);
          return v1 === undefined ? undefined : invoke(ctx, [v0, v1]);
        };
      }
      return (ctx, frame) => {
        const values: Value[] = new Array(n);
        for (let i = 0; i < n; i++) {
          const v = args[i]!(ctx, frame);
          if (v === undefined) return undefined;
          values[i] = v;
        }
        return invoke(ctx, values);
      };
    }
    case 'acompr':
    case 'scompr':
    case 'ocompr':
      return (ctx, frame) => comprehensionValue(ctx, frame, t);
  }
}

/**
 * A builtin call: outside a `with` that mocks functions, its implementation is called straight
 * away, with the arguments in an array the call keeps for the purpose (a builtin never keeps
 * its arguments' array, nor evaluates Rego, so the array is free again when it returns): an
 * evaluation makes ~100 builtin calls, and an array for each was a good part of what it
 * allocated.
 */
function builtinCall(t: CallTerm, def: BuiltinDefinition, args: readonly QuickFn[]): QuickFn {
  const n = args.length;
  const implementation = def.implementation;
  // Only one- and two-argument calls, most of them, use it.
  const scratch: (Value | undefined)[] = [undefined, undefined];
  const run = (ctx: EvalContext, values: Value[]): Value | undefined => {
    try {
      return implementation(values, ctx.shared.builtinContext);
    } catch (error) {
      return builtinFailed(ctx, def, t, error);
    }
  };
  if (n === 1) {
    const a0 = args[0]!;
    return (ctx, frame) => {
      const v0 = a0(ctx, frame);
      if (v0 === undefined) return undefined;
      if (ctx.mocks !== undefined) return callDirect(ctx, t, [v0]);
      scratch[0] = v0;
      const out = run(ctx, scratch as Value[]);
      scratch[0] = undefined;
      return out;
    };
  }
  if (n === 2) {
    const a0 = args[0]!;
    const a1 = args[1]!;
    return (ctx, frame) => {
      const v0 = a0(ctx, frame);
      if (v0 === undefined) return undefined;
      const v1 = a1(ctx, frame);
      if (v1 === undefined) return undefined;
      if (ctx.mocks !== undefined) return callDirect(ctx, t, [v0, v1]);
      scratch[0] = v0;
      scratch[1] = v1;
      const out = run(ctx, scratch as Value[]);
      scratch[0] = undefined;
      scratch[1] = undefined;
      return out;
    };
  }
  return (ctx, frame) => {
    const values: Value[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const v = args[i]!(ctx, frame);
      if (v === undefined) return undefined;
      values[i] = v;
    }
    return ctx.mocks !== undefined ? callDirect(ctx, t, values) : run(ctx, values);
  };
}

/**
 * A call's target bound at compile time: outside a `with` that mocks functions, a builtin's
 * implementation or a user function is called straight away, without looking up a mock.
 */
function directCall(t: CallTerm): (ctx: EvalContext, args: Value[]) => Value | undefined {
  const fn = t.fn;
  switch (fn.kind) {
    case 'builtin': {
      const def = fn.def;
      const implementation = def.implementation;
      return (ctx, args) => {
        if (ctx.mocks !== undefined) return callDirect(ctx, t, args);
        try {
          return implementation(args, ctx.shared.builtinContext);
        } catch (error) {
          return builtinFailed(ctx, def, t, error);
        }
      };
    }
    case 'user': {
      const rs = fn.ruleSet;
      return (ctx, args) =>
        ctx.mocks !== undefined ? callDirect(ctx, t, args) : callFunction(ctx, rs, args);
    }
    case 'native':
      return (ctx, args) => callDirect(ctx, t, args);
  }
}

/**
 * A data ref that does not start with a rule's ref. When its path is constant and leaves the
 * rule tree for base data (`data.pkg.limits.max`, where `pkg` holds rules but `limits` is
 * data), its value changes only with the data: it is read once per data document, outside a
 * `with data…`. Any other such ref walks the rule tree and the data together each time.
 */
function baseDataRef(t: Extract<Term, { k: 'data' }>): QuickFn {
  if (!t.path.every((seg) => seg.k === 'val' && seg.v.kind === 'string'))
    return (ctx, frame) => dataValue(ctx, frame, t);
  let tree: TreeNode | undefined;
  let baseOnly = false;
  let lastData: Value | undefined;
  let last: Value | undefined;
  return (ctx, frame) => {
    if (ctx.overrides !== undefined) return dataValue(ctx, frame, t);
    const policyTree = ctx.shared.policy.tree;
    if (policyTree !== tree) {
      tree = policyTree;
      baseOnly = readsBaseDataOnly(policyTree, t.path);
      lastData = undefined;
    }
    if (!baseOnly) return dataValue(ctx, frame, t);
    if (ctx.data !== lastData) {
      last = dataValue(ctx, frame, t);
      lastData = ctx.data;
    }
    return last;
  };
}

/** Whether a constant path leaves the rule tree before it reaches a rule or ends at a node. */
function readsBaseDataOnly(tree: TreeNode, path: readonly Term[]): boolean {
  let node = tree;
  for (const seg of path) {
    if (node.ruleSet !== undefined) return false;
    const child = node.children.get((seg as { v: { value: string } }).v.value);
    if (child === undefined) return true;
    node = child;
  }
  return false;
}

/** A ref's path compiled to one function per segment, applied from the base. */
function compilePath(path: readonly Term[]): PathFn {
  const steps = path.map((seg): PathFn => {
    if (seg.k === 'val') return (_ctx, _frame, base) => lookupConst(base, seg);
    if (seg.k === 'var') {
      const slot = seg.slot;
      return (_ctx, frame, base) => {
        const key = frame[slot];
        return key === undefined ? undefined : lookup(base, key);
      };
    }
    const key = quickFn(seg);
    return (ctx, frame, base) => {
      const k = key(ctx, frame);
      return k === undefined ? undefined : lookup(base, k);
    };
  });
  if (steps.length === 0) return (_ctx, _frame, base) => base;
  return (ctx, frame, base) => {
    let v: Value | undefined = base;
    for (let i = 0; i < steps.length && v !== undefined; i++) v = steps[i]!(ctx, frame, v);
    return v;
  };
}
