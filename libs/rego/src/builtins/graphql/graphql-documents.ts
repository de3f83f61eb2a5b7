/**
 * GraphQL queries and schemas for the `graphql.*` builtins, on graphql-js, read the way OPA's
 * GraphQL library (gqlparser) reads them where the two differ: an empty query is a valid
 * document with no operations, a schema may extend a type it never defines (the extension
 * then defines it), and a schema needs no query root unless a query asks for one.
 *
 * ASTs are graphql-js's, without locations, as JSON: `graphql.parse_*` return them and the
 * other builtins take them back in place of text. (OPA returns gqlparser's AST shape; a policy
 * that only hands parsed ASTs back to these builtins sees no difference.)
 */
import {
  buildASTSchema,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  parse,
  validate,
  validateSchema,
} from 'graphql';

export class GraphqlError extends Error {
  override readonly name = 'GraphqlError';
}

const EXTENSION_TO_DEFINITION: Readonly<Record<string, Kind>> = {
  [Kind.OBJECT_TYPE_EXTENSION]: Kind.OBJECT_TYPE_DEFINITION,
  [Kind.INTERFACE_TYPE_EXTENSION]: Kind.INTERFACE_TYPE_DEFINITION,
  [Kind.UNION_TYPE_EXTENSION]: Kind.UNION_TYPE_DEFINITION,
  [Kind.ENUM_TYPE_EXTENSION]: Kind.ENUM_TYPE_DEFINITION,
  [Kind.INPUT_OBJECT_TYPE_EXTENSION]: Kind.INPUT_OBJECT_TYPE_DEFINITION,
  [Kind.SCALAR_TYPE_EXTENSION]: Kind.SCALAR_TYPE_DEFINITION,
};

/** Parses GraphQL text, without locations; an empty query is a document with no definitions. */
export function parseDocument(text: string): DocumentNode {
  if (isBlank(text)) return { kind: Kind.DOCUMENT, definitions: [] };
  try {
    return parse(text, { noLocation: true });
  } catch (error) {
    throw new GraphqlError((error as Error).message);
  }
}

/** Only whitespace, commas and comments: what GraphQL ignores. */
function isBlank(text: string): boolean {
  return text.replace(/#[^\n\r]*/g, '').replace(/[\s,\uFEFF]/g, '') === '';
}

/** A document given as a graphql-js AST (what `graphql.parse_*` returned), checked for shape. */
export function documentFromAst(ast: unknown): DocumentNode {
  if (
    typeof ast !== 'object' ||
    ast === null ||
    (ast as { kind?: unknown }).kind !== Kind.DOCUMENT ||
    !Array.isArray((ast as { definitions?: unknown }).definitions)
  ) {
    throw new GraphqlError(
      'not a GraphQL document AST (as graphql.parse_query or parse_schema return)',
    );
  }
  return ast as DocumentNode;
}

/** The document as JSON-shaped JavaScript, for the builtins' results. */
export function documentJson(document: DocumentNode): unknown {
  return JSON.parse(JSON.stringify(document));
}

/**
 * Builds a schema from its SDL document. Extensions of types the document never defines
 * become their definitions, as gqlparser reads them.
 */
export function buildSchema(document: DocumentNode): GraphQLSchema {
  const defined = new Set<string>();
  for (const d of document.definitions) {
    if ('name' in d && d.name !== undefined && !d.kind.endsWith('Extension'))
      defined.add(d.name.value);
  }
  const definitions: DefinitionNode[] = document.definitions.map((d) => {
    const kind = EXTENSION_TO_DEFINITION[d.kind];
    if (kind === undefined || !('name' in d) || d.name === undefined || defined.has(d.name.value)) {
      return d;
    }
    defined.add(d.name.value);
    return { ...d, kind } as DefinitionNode;
  });
  let schema: GraphQLSchema;
  try {
    schema = buildASTSchema({ kind: Kind.DOCUMENT, definitions });
  } catch (error) {
    throw new GraphqlError((error as Error).message);
  }
  const errors = validateSchema(schema).filter(
    (e) => !/Query root type must be provided/.test(e.message),
  );
  if (errors.length > 0) throw new GraphqlError(errors.map((e) => e.message).join('; '));
  return schema;
}

/** The validation errors of a query against a schema; none when it is valid. */
export function validateQuery(schema: GraphQLSchema, query: DocumentNode): readonly string[] {
  const operations = query.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operations.length === 0 && query.definitions.length === 0) return [];
  // gqlparser validates a schema without a query root; a query then has nothing to ask.
  if (!schema.getQueryType())
    return operations.length === 0 ? [] : ['schema has no query root type'];
  return validate(schema, query).map((e) => e.message);
}
