/**
 * JSON Schema validation for `json.match_schema` and `json.verify_schema`, on ajv. The draft is
 * chosen by the schema's `$schema` as OPA's validator (gojsonschema) chooses it: draft-04, 06
 * and 07 (the default), and 2019-09 and 2020-12 where ajv has them. Remote `$ref`s are never
 * fetched. Errors are reported in OPA's shape, `{error, type, field, desc}`, with gojsonschema's
 * error types and wording for the keywords it reports.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019.js';
import Ajv2020 from 'ajv/dist/2020.js';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

/** One validation error, as OPA returns it from `json.match_schema`. */
export interface SchemaViolation {
  readonly error: string;
  readonly type: string;
  readonly field: string;
  readonly desc: string;
}

/** A schema that cannot be compiled; the message is what OPA's error says after the builtin name. */
export class InvalidSchemaError extends Error {
  override readonly name = 'InvalidSchemaError';
}

type Draft = 'draft-04' | 'draft-06' | 'draft-07' | '2019-09' | '2020-12';

const OPTIONS = {
  strict: false,
  allErrors: true,
  validateFormats: true,
  // Errors carry the value that failed, for gojsonschema's "given: <type>".
  verbose: true,
} as const;

const validators = new Map<Draft, Ajv>();

function validatorFor(draft: Draft): Ajv {
  let ajv = validators.get(draft);
  if (ajv === undefined) {
    switch (draft) {
      case 'draft-04':
        ajv = new AjvDraft04.default(OPTIONS) as unknown as Ajv;
        break;
      case '2019-09':
        ajv = new Ajv2019.default(OPTIONS) as unknown as Ajv;
        break;
      case '2020-12':
        ajv = new Ajv2020.default(OPTIONS) as unknown as Ajv;
        break;
      default:
        ajv = new Ajv(OPTIONS);
        if (draft === 'draft-06') ajv.addMetaSchema(draft06);
    }
    addFormats.default(ajv);
    ajv.addKeyword({ keyword: EMPTY_ENUM, schemaType: 'boolean', validate: () => false });
    validators.set(draft, ajv);
  }
  return ajv;
}

function draftOf(schema: unknown): Draft {
  const declared =
    typeof schema === 'object' && schema !== null && !Array.isArray(schema)
      ? (schema as Record<string, unknown>).$schema
      : undefined;
  if (typeof declared !== 'string') return 'draft-07';
  if (declared.includes('draft-04')) return 'draft-04';
  if (declared.includes('draft-06')) return 'draft-06';
  if (declared.includes('2019-09')) return '2019-09';
  if (declared.includes('2020-12')) return '2020-12';
  return 'draft-07';
}

const PRIMITIVE_TYPES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];

/** Values that are data, not subschemas: they are neither checked nor rewritten. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples']);

/**
 * The schema as ajv takes it, with what gojsonschema does differently: a `type` it does not
 * know fails with its wording (OPA's cases pin it down), and an empty `enum`, which ajv
 * refuses to compile, becomes the `emptyEnum` keyword that rejects every value.
 */
function prepare(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null) return schema;
  if (Array.isArray(schema)) return schema.map(prepare);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type') {
      for (const name of Array.isArray(value) ? value : [value]) {
        if (typeof name === 'string' && !PRIMITIVE_TYPES.includes(name)) {
          throw new InvalidSchemaError(
            `has a primitive type that is NOT VALID -- given: /${name}/ Expected valid values are:[${PRIMITIVE_TYPES.join(' ')}]`,
          );
        }
      }
      out[key] = value;
    } else if (key === 'enum' && Array.isArray(value) && value.length === 0) {
      out[EMPTY_ENUM] = true;
    } else {
      out[key] = DATA_KEYWORDS.has(key) ? value : prepare(value);
    }
  }
  return out;
}

const EMPTY_ENUM = 'emptyEnum';

/** Compiles a schema (a JSON document); throws `InvalidSchemaError` when it is not a valid schema. */
export function compileSchema(schema: unknown): ValidateFunction {
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null)) {
    throw new InvalidSchemaError(`schema must be an object or a boolean, got ${typeName(schema)}`);
  }
  const prepared = prepare(schema);
  const ajv = validatorFor(draftOf(schema));
  try {
    return ajv.compile(prepared as object);
  } catch (error) {
    throw new InvalidSchemaError((error as Error).message);
  } finally {
    // Compiled schemas are cached by the caller; ajv must not keep every schema it saw.
    ajv.removeSchema();
  }
}

/** The errors of validating a document against a compiled schema; empty when it matches. */
export function validateDocument(
  validate: ValidateFunction,
  document: unknown,
): readonly SchemaViolation[] {
  if (validate(document)) return [];
  return (validate.errors ?? []).filter((e) => !isComposite(e)).map(violation);
}

/** ajv reports the sub-errors of `if` besides `then`/`else`; gojsonschema reports only those. */
function isComposite(error: ErrorObject): boolean {
  return error.keyword === 'if';
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number.isInteger(Number(value)) ? 'integer' : 'number';
  }
  return typeof value;
}

/** `(root)`, or the instance path as gojsonschema names fields: `a.b.0`. */
function fieldOf(instancePath: string): string {
  if (instancePath === '') return '(root)';
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function quoteList(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

function violation(error: ErrorObject): SchemaViolation {
  const params = error.params as Record<string, unknown>;
  const field = fieldOf(error.instancePath);
  let type: string;
  let desc: string;
  switch (error.keyword) {
    case 'type': {
      const expected = Array.isArray(params.type) ? params.type.join(', ') : String(params.type);
      type = 'invalid_type';
      desc = `Invalid type. Expected: ${expected}, given: ${typeName(error.data)}`;
      break;
    }
    case 'required':
      type = 'required';
      desc = `${String(params.missingProperty)} is required`;
      break;
    case 'enum':
    case EMPTY_ENUM:
      type = 'enum';
      desc = `${field} must be one of the following: ${quoteList((params.allowedValues as unknown[]) ?? [])}`;
      break;
    case 'const':
      type = 'const';
      desc = `${field} does not match: ${JSON.stringify(params.allowedValue)}`;
      break;
    case 'additionalProperties':
      type = 'additional_property_not_allowed';
      desc = `Additional property ${String(params.additionalProperty)} is not allowed`;
      break;
    case 'minimum':
    case 'exclusiveMinimum':
      type = params.comparison === '>' ? 'number_gt' : 'number_gte';
      desc = `Must be greater than ${params.comparison === '>' ? '' : 'or equal to '}${String(params.limit)}`;
      break;
    case 'maximum':
    case 'exclusiveMaximum':
      type = params.comparison === '<' ? 'number_lt' : 'number_lte';
      desc = `Must be less than ${params.comparison === '<' ? '' : 'or equal to '}${String(params.limit)}`;
      break;
    case 'multipleOf':
      type = 'multiple_of';
      desc = `Must be a multiple of ${String(params.multipleOf)}`;
      break;
    case 'minLength':
      type = 'string_gte';
      desc = `String length must be greater than or equal to ${String(params.limit)}`;
      break;
    case 'maxLength':
      type = 'string_lte';
      desc = `String length must be less than or equal to ${String(params.limit)}`;
      break;
    case 'pattern':
      type = 'pattern';
      desc = `Does not match pattern '${String(params.pattern)}'`;
      break;
    case 'format':
      type = 'format';
      desc = `Does not match format '${String(params.format)}'`;
      break;
    case 'minItems':
      type = 'array_min_items';
      desc = `Array must have at least ${String(params.limit)} items`;
      break;
    case 'maxItems':
      type = 'array_max_items';
      desc = `Array must have at most ${String(params.limit)} items`;
      break;
    case 'uniqueItems':
      type = 'unique';
      desc = `array items[${String(params.i)},${String(params.j)}] must be unique`;
      break;
    case 'minProperties':
      type = 'array_min_properties';
      desc = `Must have at least ${String(params.limit)} properties`;
      break;
    case 'maxProperties':
      type = 'array_max_properties';
      desc = `Must have at most ${String(params.limit)} properties`;
      break;
    case 'dependencies':
    case 'dependentRequired':
      type = 'missing_dependency';
      desc = `Has a dependency on ${String(params.missingProperty)}`;
      break;
    case 'anyOf':
      type = 'number_any_of';
      desc = 'Must validate at least one schema (anyOf)';
      break;
    case 'oneOf':
      type = 'number_one_of';
      desc = 'Must validate one and only one schema (oneOf)';
      break;
    case 'not':
      type = 'number_not';
      desc = 'Must not validate the schema (not)';
      break;
    case 'contains':
      type = 'contains';
      desc = 'At least one of the items must match';
      break;
    case 'then':
    case 'else':
      type = `condition_${error.keyword}`;
      desc = `Must validate "${error.keyword}" as "if" was ${error.keyword === 'then' ? 'valid' : 'not valid'}`;
      break;
    case 'false schema':
      type = 'false';
      desc = 'False always fails validation';
      break;
    default:
      type = error.keyword;
      desc = error.message ?? `does not match ${error.keyword}`;
  }
  return { error: `${field}: ${desc}`, type, field, desc };
}
