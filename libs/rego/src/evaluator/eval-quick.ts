/**
 * A fast path for terms that have at most one value: constants, bound variables, refs whose
 * path variables are all bound, and calls on such terms. They are evaluated directly,
 * without the continuation closures the general evaluator allocates for each step.
 */
import type { Term } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import { arr, set } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { EvalContext } from './context.js';
import { callDirect } from './eval-call.js';
import { dataValue } from './eval-data.js';
import type { Frame } from './eval-term.js';
import { lookup, lookupConst } from './value-access.js';

/** Whether `quickValue` can evaluate the term now (no iteration, no output arguments, no print). */
export function canQuick(t: Term, frame: Frame): boolean {
  switch (t.k) {
    case 'val':
      return true;
    case 'var':
      return frame[t.slot] !== undefined;
    case 'input':
    case 'data':
      return pathIsQuick(t.path, frame);
    case 'ref':
      return canQuick(t.head, frame) && pathIsQuick(t.path, frame);
    case 'arr':
    case 'set':
      return t.items.every((i) => canQuick(i, frame));
    case 'obj':
      return t.entries.every(([k, v]) => canQuick(k, frame) && canQuick(v, frame));
    case 'call': {
      let slots = t.quickSlots;
      if (slots === undefined) {
        slots = quickSlotsOf(t);
        t.quickSlots = slots;
      }
      if (slots === null) return false;
      for (let i = 0; i < slots.length; i++) if (frame[slots[i]!] === undefined) return false;
      return true;
    }
    default:
      return false;
  }
}

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

function pathIsQuick(path: readonly Term[], frame: Frame): boolean {
  for (const seg of path) if (!canQuick(seg, frame)) return false;
  return true;
}

/** The value of a term for which `canQuick` holds; undefined when it is undefined. */
export function quickValue(ctx: EvalContext, frame: Frame, t: Term): Value | undefined {
  switch (t.k) {
    case 'val':
      return t.v;
    case 'var':
      return frame[t.slot];
    case 'input':
      return ctx.input === undefined ? undefined : quickPath(ctx, frame, ctx.input, t.path);
    case 'data':
      return dataValue(ctx, frame, t);
    case 'ref': {
      const head = quickValue(ctx, frame, t.head);
      return head === undefined ? undefined : quickPath(ctx, frame, head, t.path);
    }
    case 'arr': {
      const items: Value[] = [];
      for (const i of t.items) {
        const v = quickValue(ctx, frame, i);
        if (v === undefined) return undefined;
        items.push(v);
      }
      return arr(items);
    }
    case 'set': {
      const items: Value[] = [];
      for (const i of t.items) {
        const v = quickValue(ctx, frame, i);
        if (v === undefined) return undefined;
        items.push(v);
      }
      return set(items);
    }
    case 'obj': {
      const entries = new Map<string, readonly [Value, Value]>();
      for (const [kt, vt] of t.entries) {
        const k = quickValue(ctx, frame, kt);
        if (k === undefined) return undefined;
        const v = quickValue(ctx, frame, vt);
        if (v === undefined) return undefined;
        // Constant keys (the usual case) reuse their canonical key string.
        let key: string;
        if (kt.k === 'val') {
          key = kt.key ?? keyOf(k);
          kt.key = key;
        } else key = keyOf(k);
        entries.set(key, [k, v]);
      }
      return { kind: 'object', entries };
    }
    case 'call': {
      const args: Value[] = new Array(t.args.length);
      for (let i = 0; i < t.args.length; i++) {
        const v = quickValue(ctx, frame, t.args[i]!);
        if (v === undefined) return undefined;
        args[i] = v;
      }
      return callDirect(ctx, t, args);
    }
    default:
      return undefined;
  }
}

function quickPath(
  ctx: EvalContext,
  frame: Frame,
  base: Value,
  path: readonly Term[],
): Value | undefined {
  let v: Value | undefined = base;
  for (const seg of path) {
    if (seg.k === 'val') v = lookupConst(v, seg);
    else {
      const key = seg.k === 'var' ? frame[seg.slot] : quickValue(ctx, frame, seg);
      if (key === undefined) return undefined;
      v = lookup(v, key);
    }
    if (v === undefined) return undefined;
  }
  return v;
}
