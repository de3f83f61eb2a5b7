/**
 * Turns a JSON Schema (drafts 4 to 2020-12, the keywords that describe shape) into a type of
 * the type checker, as OPA reads `--schema` files: an object schema with `properties` is
 * closed unless `additionalProperties` opens it, so a reference to a field the schema does not
 * list is a type error; `items` types array elements, `enum`/`const` the values, `anyOf` and
 * `oneOf` make unions, `allOf` merges objects, and local `$ref`s are followed (a recursive one
 * is unrolled twice, then typed `any`).
 */
import { fromJs } from '../value/value-json.js';
import type { RegoType } from './rego-type.js';
import {
  ANY,
  anyOf,
  arrayOf,
  BOOLEAN,
  NULL_T,
  NUMBER,
  objectOf,
  objectWith,
  or,
  STRING,
  tupleOf,
  typeOfValue,
} from './rego-type.js';

/** A schema that is not an object or boolean, or a `$ref` that leads nowhere. */
export class SchemaError extends Error {
  override readonly name = 'SchemaError';
}

type Json = unknown;

/** How many times one `$ref` is followed inside itself, and how long a chain of `$ref`s may get. */
const RECURSION_UNROLL = 2;
const MAX_REF_CHAIN = 8;

const isRecord = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The type a JSON Schema describes. Throws `SchemaError` for a schema that is not one. */
export function schemaToType(schema: Json): RegoType {
  if (!isRecord(schema) && typeof schema !== 'boolean') {
    throw new SchemaError('a schema must be a JSON object or a boolean');
  }
  return new SchemaReader(schema).read(schema, []);
}

class SchemaReader {
  constructor(private readonly root: Json) {}

  read(schema: Json, following: readonly string[]): RegoType {
    if (schema === true || schema === undefined) return ANY;
    if (schema === false) return ANY;
    if (!isRecord(schema)) throw new SchemaError('a schema must be a JSON object or a boolean');
    const ref = schema.$ref;
    if (typeof ref === 'string') {
      // A recursive schema is unrolled twice, then typed any below: the checker needs no
      // fixed point, and a bound on the chain keeps mutually recursive schemas small.
      const seen = following.filter((r) => r === ref).length;
      if (seen >= RECURSION_UNROLL || following.length >= MAX_REF_CHAIN) return ANY;
      return this.read(this.resolve(ref), [...following, ref]);
    }
    if ('const' in schema) return typeOfValue(fromJs(schema.const));
    if (Array.isArray(schema.enum)) {
      return anyOf(...schema.enum.map((v) => typeOfValue(fromJs(v))));
    }
    const alternatives = [schema.anyOf, schema.oneOf].find(Array.isArray);
    if (alternatives !== undefined) {
      return anyOf(...alternatives.map((s) => this.read(s, following)));
    }
    if (Array.isArray(schema.allOf)) return this.merge(schema.allOf, following);
    const types = Array.isArray(schema.type)
      ? schema.type
      : typeof schema.type === 'string'
        ? [schema.type]
        : inferTypes(schema);
    if (types.length === 0) return ANY;
    let out: RegoType | undefined;
    for (const t of types) out = or(out, this.ofType(String(t), schema, following));
    return out ?? ANY;
  }

  private ofType(type: string, schema: Record<string, Json>, following: readonly string[]) {
    switch (type) {
      case 'null':
        return NULL_T;
      case 'boolean':
        return BOOLEAN;
      case 'number':
      case 'integer':
        return NUMBER;
      case 'string':
        return STRING;
      case 'array': {
        const prefix = Array.isArray(schema.prefixItems)
          ? schema.prefixItems
          : Array.isArray(schema.items)
            ? schema.items
            : undefined;
        if (prefix !== undefined) {
          const rest = Array.isArray(schema.items) ? schema.additionalItems : schema.items;
          const items = prefix.map((s) => this.read(s, following));
          return rest === undefined || rest === false
            ? tupleOf(items)
            : tupleOf(items, this.read(rest, following));
        }
        const of = schema.items === undefined ? ANY : this.read(schema.items, following);
        return arrayOf(of);
      }
      case 'object': {
        const properties = isRecord(schema.properties) ? schema.properties : undefined;
        const additional = schema.additionalProperties;
        if (properties === undefined || Object.keys(properties).length === 0) {
          return objectOf(
            ANY,
            isRecord(additional) || typeof additional === 'boolean'
              ? this.read(additional, following)
              : ANY,
          );
        }
        const props = new Map<string, RegoType>();
        for (const [k, s] of Object.entries(properties)) props.set(k, this.read(s, following));
        const dynamic =
          additional === true
            ? { key: ANY, value: ANY }
            : isRecord(additional)
              ? { key: STRING, value: this.read(additional, following) }
              : undefined;
        return objectWith(props, dynamic);
      }
      default:
        throw new SchemaError(`unknown schema type ${JSON.stringify(type)}`);
    }
  }

  /** `allOf`: the properties of every object member together; other members as they are. */
  private merge(schemas: readonly Json[], following: readonly string[]): RegoType {
    const members = schemas.map((s) => this.read(s, following));
    const objects = members.filter((m) => m.kind === 'object');
    if (objects.length !== members.length) return members[0] ?? ANY;
    const props = new Map<string, RegoType>();
    let dynamic: { key: RegoType; value: RegoType } | undefined;
    for (const o of objects) {
      for (const [k, t] of o.props) props.set(k, t);
      if (o.dynamic && o.props.size === 0) dynamic = o.dynamic;
    }
    return objectWith(props, dynamic);
  }

  /** A local reference: `#`, `#/definitions/x`, `#/$defs/x`, with `~0`/`~1` escapes. */
  private resolve(ref: string): Json {
    if (!ref.startsWith('#')) {
      throw new SchemaError(`$ref ${ref}: only references inside the schema (#/...) are supported`);
    }
    let node: Json = this.root;
    for (const raw of ref.slice(1).split('/').slice(1)) {
      const seg = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
      node = isRecord(node) ? node[seg] : Array.isArray(node) ? node[Number(seg)] : undefined;
      if (node === undefined) throw new SchemaError(`$ref ${ref} leads nowhere in the schema`);
    }
    return node;
  }
}

/** A schema without `type` that still says what it describes (`properties`, `items`). */
function inferTypes(schema: Record<string, Json>): string[] {
  if ('properties' in schema || 'additionalProperties' in schema) return ['object'];
  if ('items' in schema || 'prefixItems' in schema) return ['array'];
  return [];
}
