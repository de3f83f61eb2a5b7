/**
 * The JSON-schema validators of the API. Bodies are checked strictly (`"user_id": 123` is a
 * type error, not the string "123"); query strings and path parameters arrive as text, so
 * they are coerced (`limit=10` becomes 10), integers only from decimal digits (`limit=1e1`
 * is refused). Unknown members are reported, never dropped.
 */
import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import { type ParameterValidator, requireDecimalIntegers } from './require-decimal-integers.js';

// ajv-formats is CommonJS with a `default` member; under NodeNext its default import is the
// module object, which is callable at run time but not typed as such.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function ajv(options: Options): Ajv {
  return addFormats(
    new Ajv({ allErrors: false, useDefaults: true, removeAdditional: false, ...options }),
  );
}

/** One compiler for every route: strict for bodies, coercing for everything that is text. */
export function createValidatorCompiler(): FastifySchemaCompiler<object> {
  const bodies = ajv({ coerceTypes: false });
  const text = ajv({ coerceTypes: 'array' });
  return ({ schema, httpPart }) =>
    (httpPart === 'body'
      ? bodies.compile(schema)
      : requireDecimalIntegers(schema, text.compile(schema) as ParameterValidator)) as ReturnType<
      FastifySchemaCompiler<object>
    >;
}
