/**
 * `json.verify_schema` (is this a valid JSON Schema?) and `json.match_schema` (does this
 * document match it?), as OPA offers them. Schema and document are objects or JSON text.
 * Compiled schemas are cached per engine by their JSON text.
 */
import type { Value } from '../value/value.js';
import { arr, bool, NULL, objFromRecord, str } from '../value/value-builders.js';
import { parseJson, toJs } from '../value/value-json.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import { marshalJson } from './encoding/json-text.js';
import {
  compileSchema,
  InvalidSchemaError,
  type SchemaViolation,
  validateDocument,
} from './json-schema/schema-validator.js';
import { builtinError, operandError } from './operands.js';

const MAX_CACHED = 256;

type Compiled = ReturnType<typeof compileSchema> | InvalidSchemaError;

function schemaCache(context: BuiltinContext): Map<string, Compiled> {
  let cache = context.cache.get('json.schema') as Map<string, Compiled> | undefined;
  if (cache === undefined) {
    cache = new Map();
    context.cache.set('json.schema', cache);
  }
  return cache;
}

/** Numbers as doubles: the validator knows no bigints. */
function plain(input: unknown): unknown {
  if (typeof input === 'bigint') return Number(input);
  if (Array.isArray(input)) return input.map(plain);
  if (input !== null && typeof input === 'object') {
    return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, plain(v)]));
  }
  return input;
}

/** An operand that is JSON text or an object, as a JSON document and its text. */
function jsonOperand(
  name: string,
  args: readonly Value[],
  index: number,
  what: string,
): { readonly document: unknown; readonly text: string } {
  const value = args[index] as Value;
  if (value.kind === 'string') {
    let document: unknown;
    try {
      document = plain(parseJson(value.value));
    } catch (error) {
      throw builtinError(name, `${what} is not valid JSON: ${(error as Error).message}`);
    }
    return { document, text: value.value };
  }
  if (value.kind === 'object') {
    return { document: plain(toJs(value)), text: marshalJson(value) };
  }
  throw operandError(name, index + 1, ['string', 'object'], value);
}

function compiled(
  name: string,
  args: readonly Value[],
  index: number,
  context: BuiltinContext,
): Compiled {
  const { document, text } = jsonOperand(name, args, index, 'schema');
  const cache = schemaCache(context);
  let entry = cache.get(text);
  if (entry === undefined) {
    try {
      entry = compileSchema(document);
    } catch (error) {
      if (!(error instanceof InvalidSchemaError)) throw error;
      entry = error;
    }
    if (cache.size < MAX_CACHED) cache.set(text, entry);
  }
  return entry;
}

function violationValue(v: SchemaViolation): Value {
  return objFromRecord({
    error: str(v.error),
    type: str(v.type),
    field: str(v.field),
    desc: str(v.desc),
  });
}

export const JSON_SCHEMA_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'json.verify_schema',
    arity: 1,
    implementation: (args, context) => {
      const entry = compiled('json.verify_schema', args, 0, context);
      return entry instanceof InvalidSchemaError
        ? arr([bool(false), str(entry.message)])
        : arr([bool(true), NULL]);
    },
  },
  {
    name: 'json.match_schema',
    arity: 2,
    implementation: (args, context) => {
      const name = 'json.match_schema';
      const { document } = jsonOperand(name, args, 0, 'document');
      const entry = compiled(name, args, 1, context);
      if (entry instanceof InvalidSchemaError) throw builtinError(name, entry.message);
      const violations = validateDocument(entry, document);
      return arr([bool(violations.length === 0), arr(violations.map(violationValue))]);
    },
  },
];
