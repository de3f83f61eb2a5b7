/**
 * Reads the schemas given to the engine (`{ input: <schema>, 'data.users': <schema> }`, and
 * `'schema.a.b': <schema>` for `# METADATA` blocks to name) into the document types the type
 * checker starts from.
 */
import { RegoError } from '../errors/rego-error.js';
import { SchemaError, schemaToType } from './json-schema-types.js';
import type { DocumentTypes } from './type-checker.js';

/** Throws a `rego_compile_error` naming the ref when a key or a schema is not usable. */
export function documentTypes(schemas: Readonly<Record<string, unknown>>): DocumentTypes {
  let input: DocumentTypes['input'];
  const data: { path: string[]; type: NonNullable<DocumentTypes['input']> }[] = [];
  const named = new Map<string, NonNullable<DocumentTypes['input']>>();
  for (const [ref, schema] of Object.entries(schemas)) {
    const path = ref.split('.');
    if (path[0] !== 'input' && path[0] !== 'data' && path[0] !== 'schema') {
      throw new RegoError(
        'rego_compile_error',
        `schema for ${ref}: the ref must be input, or start with data. or schema.`,
      );
    }
    let type: NonNullable<DocumentTypes['input']>;
    try {
      type = schemaToType(schema);
    } catch (error) {
      if (error instanceof SchemaError) {
        throw new RegoError('rego_compile_error', `schema for ${ref}: ${error.message}`);
      }
      throw error;
    }
    if (path[0] === 'schema') {
      named.set(ref, type);
      continue;
    }
    if (path[0] === 'input') {
      if (path.length > 1) {
        throw new RegoError(
          'rego_compile_error',
          `schema for ${ref}: a schema describes the whole input (input), not a part of it`,
        );
      }
      input = type;
    } else data.push({ path: path.slice(1), type });
  }
  // The longest path wins where two overlap.
  data.sort((a, b) => b.path.length - a.path.length);
  return { input, data, named };
}
