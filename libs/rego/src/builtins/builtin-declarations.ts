/**
 * The declared types of builtins, read from OPA's capabilities file checked in at
 * `capabilities/opa-capabilities.json` (see the README there for its OPA version). That file is
 * the one source of the declarations: the capabilities export and the type checker read them
 * here, and `tests/capabilities.test.ts` checks that each builtin's arity in the registry
 * matches its declaration. Types are kept in OPA's JSON shape, so that they can be exported as
 * they are.
 */
import opaCapabilities from '../../capabilities/opa-capabilities.json' with { type: 'json' };

/** A type in OPA's JSON form (`types.Type` marshalled by OPA). */
export type OpaType =
  | { readonly type: 'null' | 'boolean' | 'number' | 'string' }
  /** Any value; with `of`, any of those types. */
  | { readonly type: 'any'; readonly of?: readonly OpaType[] }
  /** An array: `static` types of its first items, `dynamic` type of the rest. */
  | {
      readonly type: 'array';
      readonly static?: readonly OpaType[];
      readonly dynamic?: OpaType;
    }
  | { readonly type: 'set'; readonly of: OpaType }
  /** An object: `static` types of named keys, `dynamic` key and value types of the others. */
  | {
      readonly type: 'object';
      readonly static?: ReadonlyArray<{ readonly key: unknown; readonly value: OpaType }>;
      readonly dynamic?: { readonly key: OpaType; readonly value: OpaType };
    }
  | OpaFunctionType;

/** A function type: operand types, result type (none for a call used as a statement), variadic. */
export interface OpaFunctionType {
  readonly type: 'function';
  readonly args?: readonly OpaType[];
  readonly result?: OpaType;
  /** Every operand's type, for functions of any arity (`print`). */
  readonly variadic?: OpaType;
}

/** One entry of a capabilities file's `builtins` list. */
export interface BuiltinDeclaration {
  readonly name: string;
  readonly decl: OpaFunctionType;
  /** The operator written for it (`+` for `plus`, `in` for `internal.member_2`). */
  readonly infix?: string;
  /** True for a builtin that relates operand and results both ways (`walk`). */
  readonly relation?: boolean;
  readonly deprecated?: boolean;
  readonly nondeterministic?: boolean;
}

/** A capabilities document in OPA's shape: what an engine offers a policy. */
export interface Capabilities {
  readonly builtins: readonly BuiltinDeclaration[];
  readonly future_keywords: readonly string[];
  readonly wasm_abi_versions?: ReadonlyArray<{
    readonly version: number;
    readonly minor_version: number;
  }>;
  readonly features: readonly string[];
}

/** OPA's capabilities as checked in; its OPA version is named in `capabilities/README.md`. */
export const OPA_CAPABILITIES: Capabilities = opaCapabilities as unknown as Capabilities;

/** OPA's declaration of each builtin by its dotted name. */
export const BUILTIN_DECLARATIONS: ReadonlyMap<string, BuiltinDeclaration> = new Map(
  OPA_CAPABILITIES.builtins.map((declaration) => [declaration.name, declaration]),
);
