/**
 * The compiled form the evaluator runs: variables resolved to frame slots, refs resolved
 * to `input`, `data` or a local head, calls resolved to user functions or builtins, and
 * body literals reordered so that every variable is bound before it is read.
 */
import type { Loc } from '../ast/ast.js';
import type { BuiltinDefinition } from '../builtins/builtin.js';
import type { Value } from '../value/value.js';

/** A constant. `key` caches `keyOf(v)` for lookups in objects (filled on first use). */
export interface ValTerm {
  readonly k: 'val';
  readonly v: Value;
  key?: string;
}

export type Term =
  | ValTerm
  | { readonly k: 'var'; readonly slot: number; readonly name: string }
  | {
      readonly k: 'input';
      readonly path: readonly Term[];
      /** Where the ref is written, for the type checker's errors. */
      readonly loc?: Loc;
    }
  | {
      readonly k: 'data';
      readonly path: readonly Term[];
      /** The rule set the constant prefix of the path reaches, and where the rest starts. */
      readonly rule?: { readonly node: TreeNode; readonly next: number };
      readonly loc?: Loc;
    }
  | { readonly k: 'ref'; readonly head: Term; readonly path: readonly Term[]; readonly loc?: Loc }
  | { readonly k: 'arr'; readonly items: readonly Term[] }
  | { readonly k: 'set'; readonly items: readonly Term[] }
  | { readonly k: 'obj'; readonly entries: readonly (readonly [Term, Term])[] }
  | { readonly k: 'acompr' | 'scompr'; readonly term: Term; readonly body: Body }
  | {
      readonly k: 'ocompr';
      readonly key: Term;
      readonly value: Term;
      readonly body: Body;
      /** Where the comprehension is, for the error when two of its keys get different values. */
      readonly loc: Loc;
    }
  | CallTerm;

export interface CallTerm {
  readonly k: 'call';
  readonly name: string;
  readonly fn: FnTarget;
  readonly args: readonly Term[];
  /** True when the call has one argument more than the function takes: the last one receives the result. */
  readonly hasOutput: boolean;
  readonly loc: Loc;
  /** `fnMockKey(fn)`, computed once. */
  readonly mockKey: string;
}

/** Evaluator-native functions: relations and functions that need the evaluator itself. */
export type NativeName = 'print' | 'internal.member_2' | 'internal.member_3' | 'walk' | 'trace';

export type FnTarget =
  | { readonly kind: 'user'; readonly ruleSet: RuleSet }
  | { readonly kind: 'builtin'; readonly def: BuiltinDefinition }
  | { readonly kind: 'native'; readonly name: NativeName; readonly arity: number };

export type Body = readonly Lit[];

export type Expr =
  | { readonly k: 'term'; readonly term: Term }
  | { readonly k: 'unify'; readonly a: Term; readonly b: Term }
  | {
      readonly k: 'somein';
      readonly key: Term | undefined;
      readonly value: Term;
      readonly coll: Term;
    }
  | {
      readonly k: 'every';
      readonly key: Term | undefined;
      readonly value: Term;
      readonly domain: Term;
      readonly body: Body;
    }
  | { readonly k: 'true' };

export type With =
  | { readonly kind: 'input' | 'data'; readonly path: readonly string[]; readonly value: Term }
  | {
      readonly kind: 'fn';
      /** The mock key of the replaced function (see `fnMockKey`). */
      readonly key: string;
      /** A function to call instead, or undefined when `value` is the result. */
      readonly replacement: FnTarget | undefined;
      readonly value: Term;
    };

export interface Lit {
  readonly negated: boolean;
  readonly expr: Expr;
  readonly withs: readonly With[] | undefined;
  readonly loc: Loc;
  /** Queries only: the slot that receives the value of a term expression. */
  readonly capture: number | undefined;
}

export interface RuleBranch {
  /** The rule's value; for set rules, the member. */
  readonly value: Term;
  readonly body: Body;
  /** Whether `value` is a constant, so that one solution of the body decides the branch. */
  readonly constant: boolean;
}

export interface CompiledRule {
  /** Slots needed by one evaluation of this rule (all branches). */
  readonly frameSize: number;
  /** Variable segments of the head ref after its constant prefix (`p[x].y` → x, "y"). */
  readonly suffix: readonly Term[];
  readonly args: readonly Term[];
  readonly branches: readonly RuleBranch[];
  readonly loc: Loc;
  /** A `contains` rule: its value is a member of the set at its ref. */
  readonly contains: boolean;
}

export type RuleSetKind = 'complete' | 'object' | 'set' | 'function';

export interface RuleSet {
  readonly id: number;
  /** The rule set's path under `data`. */
  readonly path: readonly string[];
  kind: RuleSetKind;
  readonly rules: CompiledRule[];
  defaultRule: CompiledRule | undefined;
  /** Number of arguments (functions only). */
  arity: number;
  /** Every branch of every rule has the same constant value: the first solution decides. */
  uniform: boolean;
}

export interface TreeNode {
  readonly path: readonly string[];
  /** The path joined with NUL: the key of `with data…` overrides. */
  readonly key: string;
  readonly children: Map<string, TreeNode>;
  ruleSet: RuleSet | undefined;
  /** A module declares this package: its document is at least an empty object. */
  isPackage: boolean;
}

export interface CompiledQuery {
  readonly body: Body;
  readonly frameSize: number;
  /** Named variables of the query, in order of appearance, for result bindings. */
  readonly bindings: readonly { readonly name: string; readonly slot: number }[];
  /** For each literal in source order: its text and its capture slot (undefined: value is `true`). */
  readonly expressions: readonly { readonly text: string; readonly capture: number | undefined }[];
}

/** The key under which `with` mocks of a function are looked up. */
export function fnMockKey(fn: FnTarget): string {
  switch (fn.kind) {
    case 'user':
      return `data.${fn.ruleSet.path.join('.')}`;
    case 'builtin':
      return fn.def.name;
    case 'native':
      return fn.name;
  }
}
