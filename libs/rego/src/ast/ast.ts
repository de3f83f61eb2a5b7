/**
 * The typed syntax tree the parser produces: modules, rules, literals and terms, each with
 * its source location. Infix operators are already calls to OPA's operator builtins
 * (`plus`, `equal`, `internal.member_2`, …), as in OPA's own AST.
 */
import type { SourceLocation } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';

export type Loc = SourceLocation;

export type AstTerm =
  | { readonly type: 'scalar'; readonly value: Value; readonly loc: Loc }
  | { readonly type: 'var'; readonly name: string; readonly loc: Loc }
  | {
      readonly type: 'ref';
      readonly head: AstTerm;
      readonly path: readonly AstTerm[];
      readonly loc: Loc;
    }
  | { readonly type: 'array'; readonly items: readonly AstTerm[]; readonly loc: Loc }
  | { readonly type: 'set'; readonly items: readonly AstTerm[]; readonly loc: Loc }
  | {
      readonly type: 'object';
      readonly entries: readonly (readonly [AstTerm, AstTerm])[];
      readonly loc: Loc;
    }
  | {
      readonly type: 'arraycompr' | 'setcompr';
      readonly term: AstTerm;
      readonly body: readonly AstLiteral[];
      readonly loc: Loc;
    }
  | {
      readonly type: 'objectcompr';
      readonly key: AstTerm;
      readonly value: AstTerm;
      readonly body: readonly AstLiteral[];
      readonly loc: Loc;
    }
  | {
      readonly type: 'call';
      /** The function as written: a var (`f`) or a ref (`regex.match`, `data.lib.f`). */
      readonly fn: AstTerm;
      readonly args: readonly AstTerm[];
      readonly loc: Loc;
    };

export type AstExpr =
  | { readonly type: 'term'; readonly term: AstTerm }
  | { readonly type: 'unify'; readonly left: AstTerm; readonly right: AstTerm }
  | { readonly type: 'assign'; readonly left: AstTerm; readonly right: AstTerm }
  | { readonly type: 'some'; readonly vars: readonly AstTerm[] }
  | {
      readonly type: 'somein';
      readonly key: AstTerm | undefined;
      readonly value: AstTerm;
      readonly collection: AstTerm;
    }
  | {
      readonly type: 'every';
      readonly key: AstTerm | undefined;
      readonly value: AstTerm;
      readonly domain: AstTerm;
      readonly body: readonly AstLiteral[];
    };

export interface AstWith {
  readonly target: AstTerm;
  readonly value: AstTerm;
  readonly loc: Loc;
}

export interface AstLiteral {
  readonly negated: boolean;
  readonly expr: AstExpr;
  readonly withs: readonly AstWith[];
  readonly loc: Loc;
  /** The literal's source text, as OPA's query API echoes it. */
  readonly text: string;
}

/**
 * The kind of a rule after normalising v0 and v1 heads: `complete` rules define one value at
 * their ref (object rules are complete rules whose ref ends in variables), `set` rules add a
 * member (`contains`, v0 `p[x]`), `function` rules take arguments.
 */
export type RuleKind = 'complete' | 'set' | 'function';

export interface AstRuleBranch {
  /** The value defined when the body holds; undefined means `true`. */
  readonly value: AstTerm | undefined;
  readonly body: readonly AstLiteral[];
  readonly loc: Loc;
}

export interface AstRule {
  readonly kind: RuleKind;
  readonly isDefault: boolean;
  /** The head's ref: first a var (the rule name), then path terms (`p.q[x]` → p, "q", x). */
  readonly ref: readonly AstTerm[];
  readonly args: readonly AstTerm[];
  /** For set rules: the member. */
  readonly key: AstTerm | undefined;
  /** Whether the head used `:=` (then the rule must be single-valued at its ref). */
  readonly assign: boolean;
  /** The rule's own branch followed by its `else` branches. */
  readonly branches: readonly AstRuleBranch[];
  readonly loc: Loc;
}

export interface AstImport {
  /** The imported ref as path segments: `data.lib.x` → ["data", "lib", "x"]. */
  readonly path: readonly string[];
  readonly alias: string | undefined;
  readonly loc: Loc;
}

/** Where a `# METADATA` block applies: `rule` and `document` to a rule, the others to the package. */
export type AnnotationScope = 'rule' | 'document' | 'package' | 'subpackages';

/** A checked `# METADATA` block, as OPA reports it (`rego.metadata.rule()`/`chain()`). */
export interface AstAnnotation {
  readonly scope: AnnotationScope;
  /** The rule it precedes (index into the module's rules), or undefined for the package. */
  readonly rule: number | undefined;
  /** The annotations in OPA's JSON shape: `{scope, title, description, authors, …}`. */
  readonly value: Value;
  readonly loc: Loc;
}

export interface AstModule {
  readonly file: string;
  readonly source: string;
  readonly packagePath: readonly string[];
  readonly imports: readonly AstImport[];
  readonly rules: readonly AstRule[];
  readonly regoVersion: 'v0' | 'v1';
  /** The module's `# METADATA` blocks, in source order. */
  readonly annotations?: readonly AstAnnotation[];
}
