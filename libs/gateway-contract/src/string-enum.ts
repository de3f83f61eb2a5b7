/**
 * `StringEnum`: a string that is one of a fixed list, written as JSON Schema's
 * `{ "type": "string", "enum": [...] }`. TypeBox's own `Union` of literals would emit `anyOf`
 * of `const`s, which changes the validation keyword the service turns into "must be one of …"
 * and the shape of `/openapi.json`; this kind keeps the plain `enum` and teaches TypeBox's
 * `Value.Check` how to check it.
 */
import {
  Kind,
  type SchemaOptions,
  type TSchema,
  TypeRegistry,
  Unsafe,
} from '@sinclair/typebox/type';

export interface TStringEnum<T extends readonly string[]> extends TSchema {
  [Kind]: 'StringEnum';
  static: T[number];
  type: 'string';
  enum: T[number][];
}

TypeRegistry.Set<TStringEnum<readonly string[]>>(
  'StringEnum',
  (schema, value) => typeof value === 'string' && schema.enum.includes(value),
);

/**
 * A string limited to `values`, typed as their union.
 *
 * @example
 * const Severity = StringEnum(['low', 'high']); // Static<typeof Severity> = 'low' | 'high'
 */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TStringEnum<T> {
  return Unsafe<T[number]>({
    [Kind]: 'StringEnum',
    type: 'string',
    enum: [...values],
    ...options,
  }) as TStringEnum<T>;
}
