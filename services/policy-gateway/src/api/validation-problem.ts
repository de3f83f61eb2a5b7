/**
 * Turns the first schema violation of a request into a problem that names the offending
 * field and says what is accepted, in words rather than as a JSON-pointer dump.
 */
import type { FastifySchemaValidationError } from 'fastify';
import { ApiProblem } from './problem.js';

type Context = 'body' | 'querystring' | 'params' | 'headers';

function fieldOf(error: FastifySchemaValidationError): string | undefined {
  const params = error.params as Record<string, unknown>;
  const base = error.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const child =
    typeof params.missingProperty === 'string'
      ? params.missingProperty
      : typeof params.additionalProperty === 'string'
        ? params.additionalProperty
        : undefined;
  if (child !== undefined) return base === '' ? child : `${base}.${child}`;
  return base === '' ? undefined : base;
}

function expectation(error: FastifySchemaValidationError, field: string, context: Context): string {
  const params = error.params as Record<string, unknown>;
  const noun = context === 'querystring' ? 'query parameter' : 'field';
  switch (error.keyword) {
    case 'required':
      return `${noun} ${field} is required`;
    case 'additionalProperties':
      return `unknown ${noun} ${field}`;
    case 'minLength':
      return params.limit === 1
        ? `${noun} ${field} must not be empty`
        : `${noun} ${field} must be at least ${String(params.limit)} characters`;
    case 'type':
      return context === 'querystring' && params.type === 'string'
        ? `${noun} ${field} must be given once`
        : `${noun} ${field} must be ${article(String(params.type))}`;
    case 'minimum':
    case 'maximum':
      return `${noun} ${field} must be ${error.keyword === 'minimum' ? '≥' : '≤'} ${String(params.limit)}`;
    case 'enum':
      return `${noun} ${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'format':
      return params.format === 'date-time'
        ? `${noun} ${field} must be an RFC 3339 date-time such as 2026-11-28T07:00:00Z`
        : `${noun} ${field} must be a ${String(params.format)}`;
    default:
      return `${noun} ${field} ${error.message ?? 'is invalid'}`;
  }
}

function article(type: string): string {
  const word = type === 'integer' || type === 'object' || type === 'array' ? 'an' : 'a';
  return `${word} ${type === 'object' ? 'JSON object' : type}`;
}

export function validationProblem(
  errors: readonly FastifySchemaValidationError[],
  context: string | undefined,
): ApiProblem {
  const first = errors[0];
  const where = (context ?? 'body') as Context;
  if (first === undefined) return new ApiProblem('INVALID_FIELD', 'the request is invalid');
  const field = fieldOf(first);
  if (where === 'params') {
    return new ApiProblem('INVALID_ID', `${field ?? 'id'} must be a UUID`, field ?? 'id');
  }
  const code = where === 'querystring' ? 'INVALID_QUERY_PARAMETER' : 'INVALID_FIELD';
  if (field === undefined) {
    return new ApiProblem(
      code,
      where === 'body' ? 'the body must be a JSON object' : 'the query is invalid',
    );
  }
  return new ApiProblem(code, expectation(first, field, where), field);
}
