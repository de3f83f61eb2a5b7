/**
 * `NullableString`: a string or null, written as JSON Schema's `{ "type": ["string", "null"] }`.
 * TypeBox's `Union([String, Null])` would emit `anyOf`, which fast-json-stringify serialises by
 * validating each alternative in turn; a type list keeps the response serialiser's fast path.
 */
import {
  Kind,
  type SchemaOptions,
  type TSchema,
  TypeRegistry,
  Unsafe,
} from '@sinclair/typebox/type';

export interface TNullableString extends TSchema {
  [Kind]: 'NullableString';
  static: string | null;
  type: ['string', 'null'];
}

TypeRegistry.Set<TNullableString>(
  'NullableString',
  (_schema, value) => value === null || typeof value === 'string',
);

export function NullableString(options: SchemaOptions = {}): TNullableString {
  return Unsafe<string | null>({
    [Kind]: 'NullableString',
    type: ['string', 'null'],
    ...options,
  }) as TNullableString;
}
