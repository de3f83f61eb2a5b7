/**
 * The mask rules of a decision-log mask policy, with the semantics of OPA's
 * `data.system.log.mask`: each rule is a JSON pointer to erase (a string, or
 * `{"op": "remove", "path": …}`) or `{"op": "upsert", "path": …, "value": …}`. Pointers start
 * with `/input` or `/result` (OPA's `/nd_builtin_cache` is accepted and, having nothing to
 * act on here, does nothing). Segments are split on `/` and percent-decoded, as OPA reads them.
 *
 * As in OPA: erasing a path that is not there does nothing and is not recorded; erasing
 * `/input` itself leaves the input null; an upsert creates missing objects on its way (not
 * past a value that is not an object or array) and is recorded in `masked`; array elements
 * are addressed by index.
 */

export type MaskOp = 'remove' | 'upsert';

export interface MaskRule {
  readonly op: MaskOp;
  /** As written in the policy, e.g. `/input/context/card`. */
  readonly path: string;
  readonly part: 'input' | 'result' | 'nd_builtin_cache';
  /** The segments after the part, decoded. */
  readonly segments: readonly string[];
  readonly value?: unknown;
}

/** A mask policy's value that OPA too would refuse as a whole. */
export class MaskPolicyError extends Error {
  override readonly name = 'MaskPolicyError';
}

const PARTS = new Set(['input', 'result', 'nd_builtin_cache']);

/** The rules of a `mask` value (a set, so a JSON array); throws `MaskPolicyError`. */
export function parseMaskRules(value: unknown): readonly MaskRule[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new MaskPolicyError(`data.system.log.mask must be a set, got ${typeName(value)}`);
  }
  return value.map((item) => {
    if (typeof item === 'string') return maskRule('remove', item, undefined);
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const { op = 'remove', path, value: ruleValue } = item as Record<string, unknown>;
      if (op !== 'remove' && op !== 'upsert') {
        throw new MaskPolicyError(`mask op is not supported: ${JSON.stringify(op)}`);
      }
      if (typeof path !== 'string') {
        throw new MaskPolicyError(`mask rule ${JSON.stringify(item)} has no string "path"`);
      }
      return maskRule(op, path, ruleValue);
    }
    throw new MaskPolicyError(`mask rule must be a string or an object, got ${typeName(item)}`);
  });
}

function maskRule(op: MaskOp, path: string, value: unknown): MaskRule {
  if (path === '') throw new MaskPolicyError('mask must be non-empty');
  if (!path.startsWith('/')) throw new MaskPolicyError(`mask must be slash-prefixed: ${path}`);
  const [part = '', ...rest] = path.slice(1).split('/');
  if (!PARTS.has(part)) throw new MaskPolicyError(`mask prefix not allowed: ${part}`);
  let segments: string[];
  try {
    segments = rest.map((segment) => decodeURIComponent(segment));
  } catch {
    throw new MaskPolicyError(`mask ${path} holds a malformed percent-escape`);
  }
  return {
    op,
    path,
    part: part as MaskRule['part'],
    segments,
    ...(op === 'upsert' && { value }),
  };
}

/** The parts of a decision-log event that rules act on; changed in place. */
export interface MaskableEvent {
  input: unknown;
  result: unknown;
}

export interface MaskOutcome {
  readonly erased: readonly string[];
  readonly masked: readonly string[];
}

/**
 * Applies `rules` in order to `event` (which must be a copy the caller owns) and says which
 * pointers were erased and which masked.
 */
export function applyMaskRules(event: MaskableEvent, rules: readonly MaskRule[]): MaskOutcome {
  const erased: string[] = [];
  const masked: string[] = [];
  for (const rule of rules) {
    if (rule.part === 'nd_builtin_cache') continue;
    const root = event[rule.part];
    // An absent (null) part has nothing to erase or mask, as in OPA.
    if (root === null || root === undefined) continue;
    if (rule.op === 'remove') {
      if (rule.segments.length === 0) event[rule.part] = null;
      else if (!removeAt(root, rule.segments)) continue;
      erased.push(rule.path);
    } else {
      if (rule.segments.length === 0) event[rule.part] = structuredClone(rule.value ?? null);
      else if (!isObject(root) || !upsertAt(root, rule.segments, rule.value)) continue;
      masked.push(rule.path);
    }
  }
  return { erased, masked };
}

/** Removes the value at `segments` below `node`; false when there is none. */
function removeAt(node: unknown, segments: readonly string[]): boolean {
  const parent = walk(node, segments.slice(0, -1));
  const last = segments[segments.length - 1]!;
  if (Array.isArray(parent)) {
    const index = arrayIndex(last);
    if (index === undefined || index >= parent.length) return false;
    parent.splice(index, 1);
    return true;
  }
  if (!isObject(parent) || !Object.hasOwn(parent, last)) return false;
  delete parent[last];
  return true;
}

/** Sets `value` at `segments` below `node`, creating missing objects on the way. */
function upsertAt(
  node: Record<string, unknown>,
  segments: readonly string[],
  value: unknown,
): boolean {
  let current: unknown = node;
  for (const segment of segments.slice(0, -1)) {
    if (Array.isArray(current)) {
      const index = arrayIndex(segment);
      if (index === undefined) return false;
      current = current[index];
    } else if (isObject(current)) {
      if (!Object.hasOwn(current, segment)) current[segment] = {};
      current = current[segment];
    } else {
      return false;
    }
  }
  const last = segments[segments.length - 1]!;
  const copy = structuredClone(value ?? null);
  if (Array.isArray(current)) {
    const index = arrayIndex(last);
    if (index === undefined || index >= current.length) return false;
    current[index] = copy;
    return true;
  }
  if (!isObject(current)) return false;
  current[last] = copy;
  return true;
}

function walk(node: unknown, segments: readonly string[]): unknown {
  let current = node;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      const index = arrayIndex(segment);
      if (index === undefined) return undefined;
      current = current[index];
    } else if (isObject(current) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return undefined;
    }
  }
  return current;
}

function arrayIndex(segment: string): number | undefined {
  return /^(?:0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
