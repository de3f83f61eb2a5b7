/**
 * `JsonObject`: any JSON object, written as JSON Schema's bare `{ "type": "object" }` and typed
 * as a record. TypeBox's `Record` would add `patternProperties` and its empty `Object` an empty
 * `properties`, neither of which says more than "an object".
 */
import {
  Kind,
  type SchemaOptions,
  type TSchema,
  TypeRegistry,
  Unsafe,
} from '@sinclair/typebox/type';

export interface TJsonObject extends TSchema {
  [Kind]: 'JsonObject';
  static: Record<string, unknown>;
  type: 'object';
}

TypeRegistry.Set<TJsonObject>(
  'JsonObject',
  (_schema, value) => typeof value === 'object' && value !== null && !Array.isArray(value),
);

export function JsonObject(options: SchemaOptions = {}): TJsonObject {
  return Unsafe<Record<string, unknown>>({
    [Kind]: 'JsonObject',
    type: 'object',
    ...options,
  }) as TJsonObject;
}
