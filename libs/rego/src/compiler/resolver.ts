/**
 * Turns AST bodies and terms into compiled IR: resolves names (locals, imports, rules of
 * the package, `input`, `data`), calls (user functions, builtins) and `with` targets, then
 * schedules each body.
 */
import type { AstExpr, AstLiteral, AstTerm, Loc } from '../ast/ast.js';
import type { BuiltinDefinition } from '../builtins/builtin.js';
import { RegoCompileError } from '../errors/rego-error.js';
import { bool, str } from '../value/value-builders.js';
import { explicitNames, plainPath, visitVars } from './ast-vars.js';
import { hoistDynamicRefs } from './dynamic-refs.js';
import type { Body, Expr, FnTarget, Lit, NativeName, Term, TreeNode, With } from './ir.js';
import { fnMockKey } from './ir.js';
import { metadataCall, type RuleMetadata } from './rule-metadata.js';
import { scheduleBody } from './scheduler.js';
import { Scope } from './scope.js';
import { foldConstant, shapesMatch, someInShapeError } from './static-checks.js';

const NATIVE_ARITY: Record<NativeName, number> = {
  print: -1,
  'internal.member_2': 2,
  'internal.member_3': 3,
  walk: 1,
  trace: 1,
};

export interface ResolverEnv {
  /** Package path under data; empty for queries. */
  readonly packagePath: readonly string[];
  /** Import aliases to their full paths, rooted at `data` or `input`. */
  readonly imports: ReadonlyMap<string, readonly string[]>;
  readonly tree: TreeNode;
  readonly builtins: ReadonlyMap<string, BuiltinDefinition>;
  readonly source: string | undefined;
  /** v1 rejects shadowing `input` and `data`; v0 allows it. */
  readonly regoVersion: 'v0' | 'v1';
}

export class Resolver {
  private readonly packageNode: TreeNode | undefined;
  /** The annotations of the rule being resolved: `rego.metadata.*` calls are its constants. */
  metadata: (() => RuleMetadata) | undefined;
  private useBeforeDeclaration: { declaredAt: Map<string, number>; index: number } | undefined;

  constructor(private readonly env: ResolverEnv) {
    let node: TreeNode | undefined = env.tree;
    for (const seg of env.packagePath) node = node?.children.get(seg);
    this.packageNode = env.packagePath.length > 0 ? node : undefined;
  }

  /** Whether a name means something outside the body: a rule, an import, input or data. */
  isGlobal(name: string): boolean {
    return (
      name === 'input' ||
      name === 'data' ||
      this.env.imports.has(name) ||
      (this.packageNode?.children.has(name) ?? false)
    );
  }

  // ---- bodies ----

  /** Declares the body's variables in `scope`, then resolves and schedules it. */
  resolveBody(
    body: readonly AstLiteral[],
    scope: Scope,
    outputs: readonly AstTerm[] = [],
    captures?: readonly (number | undefined)[],
  ): { body: Body; outputs: Term[] } {
    const declaredAt = new Map<string, number>();
    body.forEach((lit, i) => {
      for (const name of explicitNames(lit)) if (!declaredAt.has(name)) declaredAt.set(name, i);
      this.declareExplicit(lit, scope);
    });
    body.forEach((lit, i) => {
      // A variable read before the `some` or `:=` that declares it is an error in OPA.
      this.useBeforeDeclaration = { declaredAt, index: i };
      try {
        this.declareLiteral(lit, scope);
      } finally {
        this.useBeforeDeclaration = undefined;
      }
    });
    for (const t of outputs) this.declareFree(t, scope);
    for (const [name, i] of declaredAt) scope.explicitAt.set(name, i);
    const lits = body.flatMap((lit, i) => {
      scope.current = i;
      return hoistDynamicRefs(this.resolveLiteral(lit, scope, captures?.[i]), () =>
        scope.wildcard(),
      );
    });
    scope.current = Number.POSITIVE_INFINITY;
    const outTerms = outputs.map((t) => this.resolveTerm(t, scope));
    const ordered = scheduleBody(
      lits,
      scope.own,
      scope.frame.names,
      outTerms.map((term, i) => ({ term, loc: outputs[i]!.loc })),
      this.env.source,
    );
    return { body: ordered, outputs: outTerms };
  }

  /** Declarations first (`some`, `:=`), so that a use written before them refers to them. */
  private declareExplicit(lit: AstLiteral, scope: Scope): void {
    const e = lit.expr;
    switch (e.type) {
      case 'some':
        for (const v of e.vars) if (v.type === 'var') scope.declare(v.name);
        return;
      case 'somein':
        if (e.key) this.declarePattern(e.key, scope);
        this.declarePattern(e.value, scope);
        return;
      case 'assign':
        this.declarePattern(e.left, scope, true);
        return;
      default:
        return;
    }
  }

  private declareLiteral(lit: AstLiteral, scope: Scope): void {
    const e = lit.expr;
    switch (e.type) {
      case 'some':
        break;
      case 'somein':
        this.declareFree(e.collection, scope);
        break;
      case 'assign':
        this.declareFree(e.right, scope);
        break;
      case 'unify':
        this.declareFree(e.left, scope);
        this.declareFree(e.right, scope);
        break;
      case 'term':
        this.declareFree(e.term, scope);
        break;
      case 'every':
        this.declareFree(e.domain, scope);
        break;
    }
    for (const w of lit.withs)
      if (!this.namesFunction(w.value, scope)) this.declareFree(w.value, scope);
  }

  /** Whether a `with` value is the name of a function (a replacement, not a value). */
  private namesFunction(t: AstTerm, scope: Scope): boolean {
    const path = plainPath(t);
    return (
      path !== undefined &&
      scope.lookup(path[0]!) === undefined &&
      this.lookupFunction(path) !== undefined
    );
  }

  /** Declares every variable of a pattern as new in this scope (`:=`, `some … in`). */
  private declarePattern(term: AstTerm, scope: Scope, requireBindable = false): void {
    let bindable = false;
    visitVars(term, (name, loc) => {
      bindable = true;
      if (name === '_') return;
      if ((name === 'input' || name === 'data') && this.env.regoVersion === 'v1') {
        throw new RegoCompileError(`${name} cannot be shadowed`, loc, this.env.source);
      }
      if (scope.isArgument(name)) {
        throw new RegoCompileError(
          `var ${name} assigned above (it is a function argument)`,
          loc,
          this.env.source,
        );
      }
      if (scope.hasOwn(name) && !this.isGlobal(name)) {
        // Redeclaring a variable in the same body is an error in OPA.
        throw new RegoCompileError(`var ${name} assigned above`, loc, this.env.source);
      }
      scope.declare(name);
    });
    if (requireBindable && !bindable) {
      throw new RegoCompileError(
        'assignment operator := requires left-hand side to have bindable variables',
        term.loc,
        this.env.source,
      );
    }
  }

  /** Declares variables that are neither visible nor global as locals of this body. */
  private declareFree(term: AstTerm, scope: Scope): void {
    visitVars(term, (name, loc) => {
      const check = this.useBeforeDeclaration;
      if (check !== undefined && (check.declaredAt.get(name) ?? -1) > check.index) {
        throw new RegoCompileError(
          `var \`${name}\` used before definition below`,
          loc,
          this.env.source,
        );
      }
      if (name === '_' || scope.lookup(name) !== undefined || this.isGlobal(name)) return;
      scope.declare(name);
    });
  }

  private resolveLiteral(lit: AstLiteral, scope: Scope, capture: number | undefined): Lit {
    const expr = this.resolveExpr(lit.expr, scope, lit.loc);
    const withs =
      lit.withs.length > 0
        ? lit.withs.map((w) => this.resolveWith(w.target, w.value, scope, w.loc))
        : undefined;
    return { negated: lit.negated, expr, withs, loc: lit.loc, capture };
  }

  private resolveExpr(e: AstExpr, scope: Scope, loc: Loc): Expr {
    switch (e.type) {
      case 'term':
        return { k: 'term', term: this.resolveTerm(e.term, scope, true) };
      case 'unify':
      case 'assign': {
        const a = this.resolveTerm(e.left, scope);
        const b = this.resolveTerm(e.right, scope);
        if (!shapesMatch(a, b)) {
          throw new RegoCompileError(
            'match error: the two sides cannot unify',
            loc,
            this.env.source,
            'rego_type_error',
          );
        }
        return { k: 'unify', a, b };
      }
      case 'some':
        return { k: 'true' };
      case 'somein': {
        const key = e.key ? this.resolveTerm(e.key, scope) : undefined;
        const value = this.resolveTerm(e.value, scope);
        const coll = this.resolveTerm(e.collection, scope);
        const shapeError = someInShapeError(value, coll);
        if (shapeError !== undefined) {
          throw new RegoCompileError(shapeError, loc, this.env.source, 'rego_type_error');
        }
        return { k: 'somein', key, value, coll };
      }
      case 'every': {
        const domain = this.resolveTerm(e.domain, scope);
        const inner = new Scope(scope.frame, scope);
        const key = e.key ? this.declareAndResolve(e.key, inner) : undefined;
        const value = this.declareAndResolve(e.value, inner);
        const bodyScope = new Scope(scope.frame, inner);
        const { body } = this.resolveBody(e.body, bodyScope);
        void loc;
        return { k: 'every', key, value, domain, body };
      }
    }
  }

  private declareAndResolve(term: AstTerm, scope: Scope): Term {
    if (term.type === 'var' && term.name !== '_')
      return { k: 'var', slot: scope.declare(term.name), name: term.name };
    return this.resolveTerm(term, scope);
  }

  // ---- terms ----

  /** `topLevel`: the term is a whole expression, where a call may take an output argument. */
  resolveTerm(t: AstTerm, scope: Scope, topLevel = false): Term {
    const term = this.resolveTermInner(t, scope, topLevel);
    return term.k === 'data' ? this.withRuleNode(term) : term;
  }

  /** Finds the rule set a data ref's constant prefix reaches, so evaluation can go straight there. */
  private withRuleNode(term: Extract<Term, { k: 'data' }>): Term {
    let node: TreeNode | undefined = this.env.tree;
    for (let i = 0; i < term.path.length; i++) {
      const seg = term.path[i]!;
      if (seg.k !== 'val' || seg.v.kind !== 'string') return term;
      node = node.children.get(seg.v.value);
      if (node === undefined) return term;
      if (node.ruleSet !== undefined) {
        return node.children.size === 0
          ? { k: 'data', path: term.path, rule: { node, next: i + 1 }, loc: term.loc }
          : term;
      }
    }
    return term;
  }

  private resolveTermInner(t: AstTerm, scope: Scope, topLevel: boolean): Term {
    switch (t.type) {
      case 'scalar':
        return { k: 'val', v: t.value };
      case 'var': {
        const term = this.resolveVar(t.name, scope);
        return term.k === 'input' || term.k === 'data' ? { ...term, loc: t.loc } : term;
      }
      case 'ref': {
        const head = this.resolveTerm(t.head, scope);
        const path = t.path.map((p) => this.resolveTerm(p, scope));
        if (head.k === 'input' || head.k === 'data')
          return { k: head.k, path: [...head.path, ...path], loc: t.loc };
        return { k: 'ref', head, path, loc: t.loc };
      }
      case 'array':
        return foldConstant({ k: 'arr', items: t.items.map((i) => this.resolveTerm(i, scope)) });
      case 'set':
        return foldConstant({ k: 'set', items: t.items.map((i) => this.resolveTerm(i, scope)) });
      case 'object':
        return foldConstant({
          k: 'obj',
          entries: t.entries.map(
            ([key, v]) => [this.resolveTerm(key, scope), this.resolveTerm(v, scope)] as const,
          ),
        });
      case 'arraycompr':
      case 'setcompr': {
        const inner = new Scope(scope.frame, scope);
        const { body, outputs } = this.resolveBody(t.body, inner, [t.term]);
        return { k: t.type === 'arraycompr' ? 'acompr' : 'scompr', term: outputs[0]!, body };
      }
      case 'objectcompr': {
        const inner = new Scope(scope.frame, scope);
        const { body, outputs } = this.resolveBody(t.body, inner, [t.key, t.value]);
        return { k: 'ocompr', key: outputs[0]!, value: outputs[1]!, body, loc: t.loc };
      }
      case 'call': {
        const name = this.fnName(t.fn);
        const metadata = metadataCall(name, t.args.length, this.metadata);
        if (metadata !== undefined) return { k: 'val', v: metadata };
        const fn = this.resolveFunction(name, t.loc);
        const args = t.args.map((a) => this.resolveTerm(a, scope));
        const arity =
          fn.kind === 'user' ? fn.ruleSet.arity : fn.kind === 'builtin' ? fn.def.arity : fn.arity;
        const display = name.join('.');
        if (arity >= 0 && args.length !== arity && !(topLevel && args.length === arity + 1)) {
          throw new RegoCompileError(
            `function ${display} takes ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`,
            t.loc,
            this.env.source,
            'rego_type_error',
          );
        }
        return {
          k: 'call',
          name: display,
          fn,
          args,
          hasOutput: arity >= 0 && args.length === arity + 1,
          loc: t.loc,
          mockKey: fnMockKey(fn),
        };
      }
    }
  }

  private resolveVar(name: string, scope: Scope): Term {
    if (name === '_') return { k: 'var', slot: scope.wildcard(), name: '_' };
    const slot = scope.lookup(name);
    if (slot !== undefined) return { k: 'var', slot, name };
    if (name === 'input') return { k: 'input', path: [] };
    if (name === 'data') return { k: 'data', path: [] };
    // A rule of the package wins over an import of the same name.
    if (this.packageNode?.children.has(name)) {
      return {
        k: 'data',
        path: [...this.env.packagePath, name].map((s): Term => ({ k: 'val', v: str(s) })),
      };
    }
    const imported = this.env.imports.get(name);
    if (imported !== undefined) {
      const path = imported.slice(1).map((s): Term => ({ k: 'val', v: str(s) }));
      return { k: imported[0] === 'input' ? 'input' : 'data', path };
    }
    return { k: 'var', slot: scope.declare(name), name };
  }

  // ---- functions ----

  private fnName(fn: AstTerm): string[] {
    if (fn.type === 'var') return [fn.name];
    if (fn.type === 'ref' && fn.head.type === 'var') {
      const parts = [fn.head.name];
      for (const p of fn.path) {
        if (p.type !== 'scalar' || p.value.kind !== 'string') {
          throw new RegoCompileError('function names must be plain refs', fn.loc, this.env.source);
        }
        parts.push(p.value.value);
      }
      return parts;
    }
    throw new RegoCompileError('invalid function call', fn.loc, this.env.source);
  }

  /** The user function a name denotes, if any: `data.x.f`, an imported `lib.f`, or a rule of the package. */
  private userFunctionPath(name: readonly string[]): string[] | undefined {
    const [first, ...rest] = name;
    if (first === undefined) return undefined;
    if (first === 'data') return rest;
    // For calls an import wins over a rule of the same name (unlike for values).
    const imported = this.env.imports.get(first);
    if (imported !== undefined && imported[0] === 'data') return [...imported.slice(1), ...rest];
    if (this.packageNode?.children.has(first)) return [...this.env.packagePath, ...name];
    return undefined;
  }

  private lookupFunction(name: readonly string[]): FnTarget | undefined {
    const userPath = this.userFunctionPath(name);
    if (userPath !== undefined) {
      let node: TreeNode | undefined = this.env.tree;
      for (const seg of userPath) node = node?.children.get(seg);
      if (node?.ruleSet?.kind === 'function') return { kind: 'user', ruleSet: node.ruleSet };
    }
    const dotted = name.join('.');
    const def = this.env.builtins.get(dotted);
    // OPA 1.x removed its deprecated builtins from v1: there they are unknown functions.
    if (def !== undefined && !(def.deprecated && this.env.regoVersion === 'v1')) {
      return { kind: 'builtin', def };
    }
    if (Object.hasOwn(NATIVE_ARITY, dotted)) {
      const native = dotted as NativeName;
      return { kind: 'native', name: native, arity: NATIVE_ARITY[native] };
    }
    return undefined;
  }

  private resolveFunction(name: readonly string[], loc: Loc): FnTarget {
    const fn = this.lookupFunction(name);
    if (fn === undefined) {
      throw new RegoCompileError(
        `undefined function ${name.join('.')}`,
        loc,
        this.env.source,
        'rego_type_error',
      );
    }
    return fn;
  }

  // ---- with ----

  private resolveWith(target: AstTerm, value: AstTerm, scope: Scope, loc: Loc): With {
    const valueIsFunction = this.namesFunction(value, scope);
    const valueTerm: Term = valueIsFunction
      ? { k: 'val', v: bool(true) }
      : this.resolveTerm(value, scope);
    const path = plainPath(target);
    if (path === undefined)
      throw new RegoCompileError(
        'with target must be a ref to input, data or a function',
        loc,
        this.env.source,
      );
    const [root, ...rest] = path;
    if (root === 'input') return { kind: 'input', path: rest, value: valueTerm };
    const fn = this.lookupFunction(path);
    if (fn !== undefined) {
      const replacement = valueIsFunction ? this.lookupFunction(plainPath(value)!) : undefined;
      return { kind: 'fn', key: fnMockKey(fn), replacement, value: valueTerm };
    }
    if (root === 'data') return { kind: 'data', path: rest, value: valueTerm };
    const imported = this.env.imports.get(root!);
    if (imported !== undefined) {
      const full = [...imported, ...rest];
      return {
        kind: full[0] === 'input' ? 'input' : 'data',
        path: full.slice(1),
        value: valueTerm,
      };
    }
    if (this.packageNode?.children.has(root!)) {
      return { kind: 'data', path: [...this.env.packagePath, ...path], value: valueTerm };
    }
    throw new RegoCompileError(
      `with target ${path.join('.')} is not input, data or a known function`,
      loc,
      this.env.source,
    );
  }
}
