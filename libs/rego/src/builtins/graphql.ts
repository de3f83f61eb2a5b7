/**
 * `graphql.parse_query`, `graphql.parse_schema`, `graphql.parse`, `graphql.parse_and_verify`,
 * `graphql.is_valid` and `graphql.schema_is_valid`, on graphql-js (`graphql/graphql-documents.ts`
 * says where it is made to read GraphQL as OPA does). Queries and schemas are GraphQL text or
 * ASTs returned by `graphql.parse_*`. Built schemas are cached per engine by their text.
 */
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Value } from '../value/value.js';
import { arr, bool, obj } from '../value/value-builders.js';
import { fromJs, toJs } from '../value/value-json.js';
import type { BuiltinContext, BuiltinDefinition } from './builtin.js';
import { marshalJson } from './encoding/json-text.js';
import {
  buildSchema,
  documentFromAst,
  documentJson,
  GraphqlError,
  parseDocument,
  validateQuery,
} from './graphql/graphql-documents.js';
import { builtinError, operandError, stringArg } from './operands.js';

const MAX_CACHED = 64;

function documentArg(name: string, args: readonly Value[], index: number): DocumentNode {
  const value = args[index] as Value;
  if (value.kind === 'string') return parseDocument(value.value);
  if (value.kind === 'object') return documentFromAst(toJs(value));
  throw operandError(name, index + 1, ['string', 'object'], value);
}

function schemaArg(
  name: string,
  args: readonly Value[],
  index: number,
  context: BuiltinContext,
): { readonly document: DocumentNode; readonly schema: GraphQLSchema } {
  const value = args[index] as Value;
  const key = value.kind === 'string' ? value.value : marshalJson(value);
  let cache = context.cache.get('graphql.schema') as
    | Map<string, { document: DocumentNode; schema: GraphQLSchema } | GraphqlError>
    | undefined;
  if (cache === undefined) {
    cache = new Map();
    context.cache.set('graphql.schema', cache);
  }
  let entry = cache.get(key);
  if (entry === undefined) {
    try {
      const document = documentArg(name, args, index);
      entry = { document, schema: buildSchema(document) };
    } catch (error) {
      if (!(error instanceof GraphqlError)) throw error;
      entry = error;
    }
    if (cache.size < MAX_CACHED) cache.set(key, entry);
  }
  if (entry instanceof GraphqlError) throw entry;
  return entry;
}

/** Runs a check that fails with `GraphqlError`; answers `fallback` instead of failing. */
function orElse<T>(run: () => T, fallback: T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof GraphqlError) return fallback;
    throw error;
  }
}

/** Runs a builtin body; a `GraphqlError` becomes the builtin's error. */
function orError<T>(name: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof GraphqlError) throw builtinError(name, error.message);
    throw error;
  }
}

/** Parses and validates; the query and schema documents, or the errors of the query. */
function verify(
  name: string,
  args: readonly Value[],
  context: BuiltinContext,
): { query: DocumentNode; schema: DocumentNode; errors: readonly string[] } {
  const { document, schema } = schemaArg(name, args, 1, context);
  const query = documentArg(name, args, 0);
  return { query, schema: document, errors: validateQuery(schema, query) };
}

const EMPTY = obj([]);

export const GRAPHQL_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'graphql.parse_query',
    arity: 1,
    implementation: (args) =>
      orError('graphql.parse_query', () =>
        fromJs(documentJson(parseDocument(stringArg('graphql.parse_query', args, 0)))),
      ),
  },
  {
    name: 'graphql.parse_schema',
    arity: 1,
    implementation: (args, context) =>
      orError('graphql.parse_schema', () => {
        stringArg('graphql.parse_schema', args, 0);
        return fromJs(documentJson(schemaArg('graphql.parse_schema', args, 0, context).document));
      }),
  },
  {
    name: 'graphql.parse',
    arity: 2,
    implementation: (args, context) =>
      orError('graphql.parse', () => {
        const { query, schema, errors } = verify('graphql.parse', args, context);
        if (errors.length > 0) throw new GraphqlError(errors.join('; '));
        return arr([fromJs(documentJson(query)), fromJs(documentJson(schema))]);
      }),
  },
  {
    name: 'graphql.parse_and_verify',
    arity: 2,
    implementation: (args, context) =>
      orElse(
        () => {
          const { query, schema, errors } = verify('graphql.parse_and_verify', args, context);
          return errors.length > 0
            ? arr([bool(false), EMPTY, EMPTY])
            : arr([bool(true), fromJs(documentJson(query)), fromJs(documentJson(schema))]);
        },
        arr([bool(false), EMPTY, EMPTY]),
      ),
  },
  {
    name: 'graphql.is_valid',
    arity: 2,
    implementation: (args, context) =>
      orElse(
        () => bool(verify('graphql.is_valid', args, context).errors.length === 0),
        bool(false),
      ),
  },
  {
    name: 'graphql.schema_is_valid',
    arity: 1,
    implementation: (args, context) =>
      orElse(() => {
        schemaArg('graphql.schema_is_valid', args, 0, context);
        return bool(true);
      }, bool(false)),
  },
];
