/**
 * The API's one JSON body parser, in place of Fastify's. `JSON.parse` builds the body, so a
 * key named `__proto__` is an ordinary own property (data, as OPA reads it) rather than
 * refused as Fastify's parser does or turned into a prototype; `checkJsonText` then refuses
 * what `JSON.parse` would let through silently — a repeated key, nesting deeper than
 * POLICY_GATEWAY_MAX_JSON_DEPTH, a number beyond a double's range — each as a problem
 * naming where in the body it is.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkJsonText, type JsonPath, type JsonTextFinding } from './json-text-check.js';
import { ApiProblem } from './problem.js';

export interface JsonBodyLimits {
  /** Containers open at once, the body itself being depth 1 (POLICY_GATEWAY_MAX_JSON_DEPTH). */
  readonly maxDepth: number;
}

/** Keys longer than this are shortened where a problem names them. */
const MAX_SHOWN_KEY = 64;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function shown(text: string): string {
  return text.length > MAX_SHOWN_KEY ? `${text.slice(0, MAX_SHOWN_KEY)}…` : text;
}

/** `context.tags[2]`, `context["a.b"]`: the dotted field names the API's problems use. */
export function jsonPathField(path: JsonPath): string {
  let field = '';
  for (const segment of path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) field += `${field === '' ? '' : '.'}${shown(segment)}`;
    else field += `[${JSON.stringify(shown(segment))}]`;
  }
  return field;
}

function problemOf(finding: JsonTextFinding): ApiProblem {
  const field = jsonPathField(finding.path);
  const where = field === '' ? undefined : field;
  switch (finding.kind) {
    case 'duplicate-key':
      return new ApiProblem(
        'DUPLICATE_KEY',
        `the key ${field} appears more than once in its object; send each key once`,
        field,
      );
    case 'too-deep':
      return new ApiProblem(
        'BODY_TOO_DEEP',
        `the body nests deeper than ${finding.maxDepth} levels${where === undefined ? '' : ` at ${where}`}; the limit is POLICY_GATEWAY_MAX_JSON_DEPTH`,
        where,
      );
    case 'number-out-of-range':
      return new ApiProblem(
        'NUMBER_OUT_OF_RANGE',
        `${where ?? 'the body'} is ${shown(finding.literal)}, beyond the numbers the gateway evaluates (magnitude up to about 1.8e308); send it as a string`,
        where,
      );
  }
}

/**
 * Parses a request body; throws the problem to answer when it is empty, not JSON, or refused.
 *
 * @example
 * parseJsonBody('{"prompt": "hi", "prompt": "ho"}', { maxDepth: 32 });
 * // throws ApiProblem DUPLICATE_KEY, field "prompt"
 */
export function parseJsonBody(text: string, limits: JsonBodyLimits): unknown {
  if (text.length === 0)
    throw new ApiProblem('EMPTY_BODY', 'the body is empty; send a JSON object');
  // A byte order mark is not JSON, but Fastify's parser skipped it and clients rely on that.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let body: unknown;
  try {
    // V8's JSON.parse keeps its own stack: a body nested 100,000 levels deep is no danger.
    body = JSON.parse(json);
  } catch (error) {
    throw new ApiProblem(
      'MALFORMED_JSON',
      `the body is not valid JSON (${(error as Error).message}); send a JSON object`,
    );
  }
  const finding = checkJsonText(json, limits);
  if (finding !== undefined) throw problemOf(finding);
  return body;
}

/** Replaces Fastify's `application/json` parser with `parseJsonBody`, for every route. */
export function installJsonBodyParser(app: FastifyInstance, limits: JsonBodyLimits): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    async (_request: FastifyRequest, body: string) => parseJsonBody(body, limits),
  );
}
