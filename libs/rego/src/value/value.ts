/**
 * The values of the Rego language as one tagged union: JSON plus sets and objects
 * whose keys may be any value. Numbers are exact: integers past 2^53 are bigints.
 *
 * Sets and objects are keyed by `keyOf(value)`, a canonical string, so that
 * structural equality is a Map lookup. Treat every value as immutable.
 */

export type RegoNumber = number | bigint;

export type Value =
  | NullValue
  | BooleanValue
  | NumberValue
  | StringValue
  | ArrayValue
  | SetValue
  | ObjectValue;

export interface NullValue {
  readonly kind: 'null';
}
export interface BooleanValue {
  readonly kind: 'boolean';
  readonly value: boolean;
}
export interface NumberValue {
  readonly kind: 'number';
  /** A safe integer or a float as `number`; an integer outside ±(2^53-1) as `bigint`. */
  readonly value: RegoNumber;
  /**
   * An integral literal written with a fraction or an exponent (`1.0`, `1e3`). It equals the
   * integer everywhere, but OPA keeps the form, and where a builtin reads an integer by its
   * form (a json.patch array index) such a literal is refused.
   */
  readonly float?: true;
}
export interface StringValue {
  readonly kind: 'string';
  readonly value: string;
}
export interface ArrayValue {
  readonly kind: 'array';
  readonly items: readonly Value[];
}
export interface SetValue {
  readonly kind: 'set';
  /** Members by canonical key (`keyOf`). */
  readonly items: ReadonlyMap<string, Value>;
}
export interface ObjectValue {
  readonly kind: 'object';
  /** Entries by the canonical key (`keyOf`) of their key. */
  readonly entries: ReadonlyMap<string, readonly [key: Value, value: Value]>;
}

export type ValueKind = Value['kind'];
