/**
 * The registry of builtin functions, gathered from one module per OPA category. The compiler
 * checks calls (name and arity) against it; the evaluator calls the implementations.
 */
import { AGGREGATE_BUILTINS } from './aggregates.js';
import { ARRAY_BUILTINS } from './arrays.js';
import { BITS_BUILTINS } from './bits.js';
import type { BuiltinDefinition } from './builtin.js';
import { COMPARISON_BUILTINS } from './comparison.js';
import { CRYPTO_BUILTINS } from './crypto.js';
import { DEBUGGING_BUILTINS } from './debugging.js';
import { DEPRECATED_BUILTINS } from './deprecated.js';
import { ENCODING_BUILTINS } from './encoding.js';
import { GLOB_BUILTINS } from './glob.js';
import { GLOBS_MATCH_BUILTINS } from './globs-match.js';
import { GRAPH_BUILTINS } from './graph.js';
import { GRAPHQL_BUILTINS } from './graphql.js';
import { HTTP_BUILTINS } from './http.js';
import { JSON_PATCH_BUILTINS } from './json-patch.js';
import { JSON_SCHEMA_BUILTINS } from './json-schema.js';
import { JWT_BUILTINS } from './jwt.js';
import { NET_BUILTINS } from './net.js';
import { NUMBER_BUILTINS } from './numbers.js';
import { OBJECT_BUILTINS } from './objects.js';
import { PROVIDER_BUILTINS } from './providers.js';
import { REGEX_BUILTINS } from './regex.js';
import { REGO_BUILTINS } from './rego.js';
import { RUNTIME_BUILTINS } from './runtime.js';
import { SEMVER_BUILTINS } from './semver.js';
import { SET_BUILTINS } from './sets.js';
import { SPRINTF_BUILTINS } from './sprintf.js';
import { STRING_BUILTINS } from './strings.js';
import { TEMPLATE_STRING_BUILTINS } from './template-strings.js';
import { TIME_BUILTINS } from './time.js';
import { TYPE_BUILTINS } from './types.js';
import { UNITS_BUILTINS } from './units.js';
import { URI_BUILTINS } from './uri.js';
import { UUID_BUILTINS } from './uuid.js';

export type { BuiltinContext, BuiltinDefinition, BuiltinImplementation } from './builtin.js';
export { BuiltinError, BuiltinTypeError } from './builtin.js';
export { formatPrintLine, formatPrintOperand, formatTerm } from './sprintf/format-term.js';

const CATEGORIES: readonly (readonly BuiltinDefinition[])[] = [
  COMPARISON_BUILTINS,
  NUMBER_BUILTINS,
  AGGREGATE_BUILTINS,
  ARRAY_BUILTINS,
  SET_BUILTINS,
  OBJECT_BUILTINS,
  JSON_PATCH_BUILTINS,
  JSON_SCHEMA_BUILTINS,
  STRING_BUILTINS,
  SPRINTF_BUILTINS,
  REGEX_BUILTINS,
  GLOB_BUILTINS,
  GLOBS_MATCH_BUILTINS,
  TYPE_BUILTINS,
  ENCODING_BUILTINS,
  CRYPTO_BUILTINS,
  TIME_BUILTINS,
  UNITS_BUILTINS,
  URI_BUILTINS,
  UUID_BUILTINS,
  SEMVER_BUILTINS,
  NET_BUILTINS,
  BITS_BUILTINS,
  GRAPH_BUILTINS,
  GRAPHQL_BUILTINS,
  JWT_BUILTINS,
  PROVIDER_BUILTINS,
  HTTP_BUILTINS,
  RUNTIME_BUILTINS,
  DEBUGGING_BUILTINS,
  TEMPLATE_STRING_BUILTINS,
  REGO_BUILTINS,
  DEPRECATED_BUILTINS,
];

function registry(): ReadonlyMap<string, BuiltinDefinition> {
  const map = new Map<string, BuiltinDefinition>();
  for (const category of CATEGORIES) {
    for (const definition of category) {
      if (map.has(definition.name)) throw new Error(`builtin ${definition.name} is defined twice`);
      map.set(definition.name, definition);
    }
  }
  return map;
}

/** Every builtin by its dotted Rego name. */
export const BUILTINS: ReadonlyMap<string, BuiltinDefinition> = registry();
