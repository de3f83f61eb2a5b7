/**
 * Query strings and path parameters arrive as text, and ajv's coercion reads a number the way
 * JavaScript does: `limit=1e1`, `0x10`, `5.0` or ` 7` would all pass as integers. An integer
 * parameter is accepted only when written in decimal digits, checked on the text before ajv
 * coerces it (its range is still ajv's to check).
 */
import type { FastifySchemaValidationError } from 'fastify';

const DECIMAL_INTEGER = /^-?[0-9]+$/;

/** A compiled validator as Fastify calls it: errors of the last call on `errors`. */
export interface ParameterValidator {
  (data: unknown): boolean;
  errors?: FastifySchemaValidationError[] | null;
}

/** The top-level properties of an object schema declared as integers. */
function integerProperties(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties;
  if (properties === undefined) return [];
  return Object.keys(properties).filter((name) => properties[name]?.type === 'integer');
}

function notDecimal(name: string): FastifySchemaValidationError {
  return {
    keyword: 'type',
    instancePath: `/${name}`,
    schemaPath: `#/properties/${name}/type`,
    params: { type: 'integer' },
    message: 'must be integer',
  };
}

/**
 * Wraps the validator of a query string or path parameters so that its integer properties are
 * decimal digits as sent; other schemas are returned as they are.
 *
 * @example
 * requireDecimalIntegers(schema, ajv.compile(schema))({ limit: '1e1' }); // false
 */
export function requireDecimalIntegers(
  schema: unknown,
  validate: ParameterValidator,
): ParameterValidator {
  const names = integerProperties(schema);
  if (names.length === 0) return validate;
  const checked: ParameterValidator = (data) => {
    const values = (data ?? {}) as Record<string, unknown>;
    const wrong = names.find((name) => {
      const value = values[name];
      return typeof value === 'string' && !DECIMAL_INTEGER.test(value);
    });
    if (wrong !== undefined) {
      checked.errors = [notDecimal(wrong)];
      return false;
    }
    const valid = validate(data);
    checked.errors = validate.errors ?? null;
    return valid;
  };
  return checked;
}
