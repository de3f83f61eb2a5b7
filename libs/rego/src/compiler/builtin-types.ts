/**
 * Builtin types for the type checker, converted from OPA's declarations (the checked-in
 * capabilities file, read by `builtins/builtin-declarations.ts`) into the checker's types.
 * A builtin without a declaration is checked for arity only: its operands and result are
 * `any`, so a missing declaration can hide an error but never invent one.
 */
import type { OpaType } from '../builtins/builtin-declarations.js';
import { BUILTIN_DECLARATIONS } from '../builtins/builtin-declarations.js';
import type { RegoType } from './rego-type.js';
import { ANY, anyOf, fnType, objectWith, setOf, tupleOf } from './rego-type.js';

export type FunctionType = Extract<RegoType, { kind: 'function' }>;

const cache = new Map<string, FunctionType | undefined>();

/** The declared type of a builtin, or undefined when OPA declares none for the name. */
export function builtinType(name: string): FunctionType | undefined {
  if (cache.has(name)) return cache.get(name);
  const decl = BUILTIN_DECLARATIONS.get(name)?.decl;
  // Variadic builtins (`print`) take anything: nothing to check.
  const type =
    decl === undefined || decl.variadic !== undefined
      ? undefined
      : (fnType(
          (decl.args ?? []).map(fromOpaType),
          decl.result === undefined ? undefined : fromOpaType(decl.result),
        ) as FunctionType);
  cache.set(name, type);
  return type;
}

/** A type in OPA's JSON form as a checker type. */
export function fromOpaType(t: OpaType): RegoType {
  switch (t.type) {
    case 'null':
    case 'boolean':
    case 'number':
    case 'string':
      return { kind: t.type };
    case 'any':
      return t.of === undefined || t.of.length === 0 ? ANY : anyOf(...t.of.map(fromOpaType));
    case 'array':
      return tupleOf(
        (t.static ?? []).map(fromOpaType),
        t.dynamic === undefined ? undefined : fromOpaType(t.dynamic),
      );
    case 'set':
      return setOf(fromOpaType(t.of));
    case 'object': {
      const props = new Map<string, RegoType>();
      for (const p of t.static ?? []) {
        if (typeof p.key === 'string') props.set(p.key, fromOpaType(p.value));
      }
      return objectWith(
        props,
        t.dynamic === undefined
          ? undefined
          : { key: fromOpaType(t.dynamic.key), value: fromOpaType(t.dynamic.value) },
      );
    }
    case 'function':
      return fnType(
        (t.args ?? []).map(fromOpaType),
        t.result === undefined ? undefined : fromOpaType(t.result),
      );
  }
}
