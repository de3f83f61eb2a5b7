/**
 * Compiles parsed modules into the rule tree the evaluator walks: rules are grouped by
 * their path under `data` into rule sets, each rule body is resolved and scheduled, and
 * recursion between rules is rejected.
 */
import type { AstLiteral, AstModule, AstRule, AstTerm } from '../ast/ast.js';
import type { BuiltinDefinition } from '../builtins/builtin.js';
import { RegoCompileError } from '../errors/rego-error.js';
import { bool } from '../value/value-builders.js';
import { valuesEqual } from '../value/value-compare.js';
import type { CompiledRule, RuleBranch, RuleSet, RuleSetKind, Term, TreeNode } from './ir.js';
import { walkBody, walkTerm } from './ir-walk.js';
import type { PolicyCheckOptions } from './policy-checks.js';
import { policyCheckErrors } from './policy-checks.js';
import { Resolver } from './resolver.js';
import { MetadataIndex } from './rule-metadata.js';
import { FrameBuilder, Scope } from './scope.js';

export interface CompiledPolicy {
  readonly tree: TreeNode;
  readonly ruleSets: readonly RuleSet[];
}

const TRUE_TERM: Term = { k: 'val', v: bool(true) };

export function newTreeNode(path: readonly string[]): TreeNode {
  return {
    path,
    key: path.join('\u0000'),
    children: new Map(),
    ruleSet: undefined,
    isPackage: false,
  };
}

/**
 * Compiles modules into a policy. With `checks`, the policy is also type checked (and, in
 * strict mode, strict-checked) and the first error found is thrown, as OPA's compiler does.
 */
export function compileModules(
  modules: readonly AstModule[],
  builtins: ReadonlyMap<string, BuiltinDefinition>,
  checks?: PolicyCheckOptions,
): CompiledPolicy {
  const tree = newTreeNode([]);
  const ruleSets: RuleSet[] = [];
  const placed: {
    module: AstModule;
    rule: AstRule;
    ruleSet: RuleSet;
    suffix: readonly AstTerm[];
  }[] = [];

  for (const module of modules) {
    // A package exists (as an empty object) even without rules.
    let pkg = tree;
    for (const seg of module.packagePath) {
      let child = pkg.children.get(seg);
      if (child === undefined) {
        child = newTreeNode([...pkg.path, seg]);
        pkg.children.set(seg, child);
      }
      pkg = child;
    }
    pkg.isPackage = true;
    for (const rule of module.rules) {
      const { staticPath, suffix } = splitHeadRef(module, rule);
      let node = tree;
      for (const seg of staticPath) {
        let child = node.children.get(seg);
        if (child === undefined) {
          child = newTreeNode([...node.path, seg]);
          node.children.set(seg, child);
        }
        node = child;
      }
      const kind: RuleSetKind =
        rule.kind === 'function'
          ? 'function'
          : suffix.length > 0
            ? 'object'
            : rule.kind === 'set'
              ? 'set'
              : 'complete';
      let rs = node.ruleSet;
      if (rs === undefined) {
        rs = {
          id: ruleSets.length,
          path: node.path,
          kind,
          rules: [],
          defaultRule: undefined,
          arity: rule.args.length,
          uniform: false,
        };
        node.ruleSet = rs;
        ruleSets.push(rs);
      } else if (rs.kind !== kind) {
        throw new RegoCompileError(
          `rule data.${node.path.join('.')} conflicts with another rule of a different kind`,
          rule.loc,
          module.source,
        );
      } else if (kind === 'function' && rs.arity !== rule.args.length) {
        throw new RegoCompileError(
          `function data.${node.path.join('.')} has definitions with different numbers of arguments`,
          rule.loc,
          module.source,
        );
      }
      placed.push({ module, rule, ruleSet: rs, suffix });
    }
  }

  const documentPaths = new Map(placed.map((p) => [p.rule, p.ruleSet.path]));
  const metadata = new MetadataIndex(
    modules,
    (module, rule) => documentPaths.get(rule) ?? module.packagePath,
  );
  const resolvers = new Map<AstModule, Resolver>();
  for (const { module, rule, ruleSet, suffix } of placed) {
    let resolver = resolvers.get(module);
    if (resolver === undefined) {
      resolver = new Resolver({
        packagePath: module.packagePath,
        imports: importMap(module),
        tree,
        builtins,
        source: module.source,
        regoVersion: module.regoVersion,
      });
      resolvers.set(module, resolver);
    }
    if (rule.isDefault) checkDefaultValue(rule, module);
    resolver.metadata = () => metadata.forRule(module, rule);
    const compiled = compileRule(resolver, rule, suffix);
    if (rule.isDefault && ruleSet.kind === 'object') {
      // `default p[k] := v` with a constant key just defines that key.
      ruleSet.rules.push(compiled);
    } else if (rule.isDefault) {
      if (ruleSet.defaultRule !== undefined) {
        throw new RegoCompileError(
          `multiple default rules data.${ruleSet.path.join('.')} found`,
          rule.loc,
          module.source,
        );
      }
      if (ruleSet.kind !== 'complete' && ruleSet.kind !== 'function') {
        throw new RegoCompileError(
          'default rules must be complete rules or functions',
          rule.loc,
          module.source,
        );
      }
      ruleSet.defaultRule = compiled;
    } else ruleSet.rules.push(compiled);
  }

  for (const rs of ruleSets) rs.uniform = isUniform(rs);
  checkRecursion(ruleSets, tree, placed);
  const policy = { tree, ruleSets };
  if (checks !== undefined) {
    const first = policyCheckErrors(modules, policy, checks)[0];
    if (first !== undefined) throw first;
  }
  return policy;
}

/** Default values must be constants: no variables, refs or calls outside comprehensions. */
function checkDefaultValue(rule: AstRule, module: AstModule): void {
  const check = (t: AstTerm): void => {
    switch (t.type) {
      case 'var':
        throw new RegoCompileError('invalid `var` in default value', t.loc, module.source);
      case 'ref':
        throw new RegoCompileError('invalid `ref` in default value', t.loc, module.source);
      case 'call':
        throw new RegoCompileError(
          `invalid \`${t.fn.type === 'var' ? t.fn.name : 'call'}\` in default value`,
          t.loc,
          module.source,
        );
      case 'array':
      case 'set':
        t.items.forEach(check);
        return;
      case 'object':
        for (const [k, v] of t.entries) {
          check(k);
          check(v);
        }
        return;
      default:
        return;
    }
  };
  const value = rule.branches[0]?.value;
  if (value !== undefined) check(value);
}

/**
 * Whether every branch of every rule (of a complete rule or a function) has the same
 * constant value: then the first that holds decides, as OPA's early exit does.
 */
function isUniform(rs: RuleSet): boolean {
  if (rs.kind !== 'complete' && rs.kind !== 'function') return false;
  const values = rs.rules.flatMap((r) => r.branches.map((b) => b.value));
  const first = values[0];
  if (first === undefined || first.k !== 'val') return false;
  return values.every((v) => v.k === 'val' && valuesEqual(v.v, first.v));
}

function importMap(module: AstModule): Map<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const imp of module.imports) {
    const root = imp.path[0];
    if (root !== 'data' && root !== 'input') continue;
    const alias = imp.alias ?? imp.path[imp.path.length - 1]!;
    if (map.has(alias)) {
      throw new RegoCompileError(
        `import ${imp.path.join('.')} shadows an earlier import of ${alias}`,
        imp.loc,
        module.source,
      );
    }
    map.set(alias, imp.path);
  }
  return map;
}

/** The head ref's constant string prefix (under the package) and the rest. */
function splitHeadRef(
  module: AstModule,
  rule: AstRule,
): { staticPath: string[]; suffix: AstTerm[] } {
  const [first, ...rest] = rule.ref;
  if (
    first?.type === 'var' &&
    (first.name === 'input' || first.name === 'data') &&
    module.regoVersion === 'v1'
  ) {
    throw new RegoCompileError(`${first.name} cannot be shadowed`, rule.loc, module.source);
  }
  const staticPath = [...module.packagePath, first?.type === 'var' ? first.name : ''];
  let i = 0;
  for (; i < rest.length; i++) {
    const seg = rest[i]!;
    if (seg.type === 'scalar' && seg.value.kind === 'string') staticPath.push(seg.value.value);
    else break;
  }
  const suffix = rest.slice(i);
  if (suffix.length > 0 && rule.kind === 'function') {
    throw new RegoCompileError(
      `${rule.kind} rules must have a ref head of constant strings`,
      rule.loc,
      module.source,
    );
  }
  return { staticPath, suffix };
}

function compileRule(
  resolver: Resolver,
  original: AstRule,
  suffix: readonly AstTerm[],
): CompiledRule {
  const rule = callArgsToBody(original);
  const frame = new FrameBuilder();
  const argsScope = new Scope(frame, undefined);
  argsScope.isArgs = true;
  const args = rule.args.map((a) => {
    const scope = argsScope;
    // Argument patterns declare their variables; they shadow rules of the same name.
    declareArgVars(a, scope);
    return resolver.resolveTerm(a, scope);
  });
  let suffixTerms: Term[] = [];
  const branches: RuleBranch[] = rule.branches.map((branch, index) => {
    const bodyScope = new Scope(frame, argsScope);
    const valueAst = rule.kind === 'set' ? rule.key : branch.value;
    const outputs = [...(index === 0 ? suffix : []), ...(valueAst ? [valueAst] : [])];
    const { body, outputs: outTerms } = resolver.resolveBody(branch.body, bodyScope, outputs);
    if (index === 0) suffixTerms = outTerms.slice(0, suffix.length);
    const value = valueAst ? outTerms[outTerms.length - 1]! : TRUE_TERM;
    const constant = value.k === 'val' && suffixTerms.every((t) => t.k === 'val');
    return { value, body, constant };
  });
  return {
    frameSize: frame.size,
    suffix: suffixTerms,
    args,
    branches,
    loc: rule.loc,
    contains: rule.kind === 'set',
  };
}

/**
 * A function argument written as a call (`f($"{x} {input.y}") := …`, a template string)
 * becomes a variable that each body unifies with the call, as OPA rewrites such arguments,
 * so that the call may read variables its body binds.
 */
function callArgsToBody(rule: AstRule): AstRule {
  if (!rule.args.some((a) => a.type === 'call')) return rule;
  const checks: AstLiteral[] = [];
  const args = rule.args.map((arg, i): AstTerm => {
    if (arg.type !== 'call') return arg;
    const v: AstTerm = { type: 'var', name: `__arg${i}__`, loc: arg.loc };
    checks.push({
      negated: false,
      expr: { type: 'unify', left: v, right: arg },
      withs: [],
      loc: arg.loc,
      text: '',
    });
    return v;
  });
  const branches = rule.branches.map((b) => ({ ...b, body: [...checks, ...b.body] }));
  return { ...rule, args, branches };
}

function declareArgVars(t: AstTerm, scope: Scope): void {
  switch (t.type) {
    case 'var':
      if (t.name !== '_' && !scope.hasOwn(t.name)) scope.declare(t.name);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) declareArgVars(i, scope);
      return;
    case 'object':
      for (const [, v] of t.entries) declareArgVars(v, scope);
      return;
    default:
      return;
  }
}

/** Rejects rules that depend on themselves, directly or through other rules. */
function checkRecursion(
  ruleSets: readonly RuleSet[],
  tree: TreeNode,
  placed: readonly { module: AstModule; rule: AstRule; ruleSet: RuleSet }[],
): void {
  const deps = new Map<RuleSet, Set<RuleSet>>();
  for (const rs of ruleSets) {
    const out = new Set<RuleSet>();
    const visit = (t: Term) => {
      if (t.k === 'call' && t.fn.kind === 'user') out.add(t.fn.ruleSet);
      if (t.k === 'data') for (const dep of dataDependencies(tree, t.path)) out.add(dep);
    };
    for (const rule of [...rs.rules, ...(rs.defaultRule ? [rs.defaultRule] : [])]) {
      for (const s of rule.suffix) walkTerm(s, visit);
      for (const a of rule.args) walkTerm(a, visit);
      for (const b of rule.branches) {
        walkTerm(b.value, visit);
        walkBody(b.body, visit);
      }
    }
    deps.set(rs, out);
  }
  const state = new Map<RuleSet, 'active' | 'done'>();
  const stack: RuleSet[] = [];
  const dfs = (rs: RuleSet): void => {
    state.set(rs, 'active');
    stack.push(rs);
    for (const dep of deps.get(rs) ?? []) {
      const s = state.get(dep);
      if (s === 'active') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep]
          .map((r) => r.path[r.path.length - 1])
          .join(' -> ');
        const where = placed.find((p) => p.ruleSet === dep);
        throw new RegoCompileError(
          `rule data.${dep.path.join('.')} is recursive: ${cycle} (recursion detected)`,
          where?.rule.loc ?? { file: '', line: 1, column: 1 },
          where?.module.source,
          'rego_recursion_error',
        );
      }
      if (s === undefined) dfs(dep);
    }
    stack.pop();
    state.set(rs, 'done');
  };
  for (const rs of ruleSets) if (!state.has(rs)) dfs(rs);
}

/** The rule sets a ref under data may read: those along its constant prefix and all below it. */
function dataDependencies(tree: TreeNode, path: readonly Term[]): RuleSet[] {
  const out: RuleSet[] = [];
  let node: TreeNode | undefined = tree;
  for (const seg of path) {
    if (node.ruleSet) out.push(node.ruleSet);
    if (seg.k !== 'val' || (seg.v.kind !== 'string' && seg.v.kind !== 'number')) break;
    const child: TreeNode | undefined = node.children.get(String(seg.v.value));
    if (child === undefined) return out;
    node = child;
  }
  const collectAll = (n: TreeNode) => {
    if (n.ruleSet) out.push(n.ruleSet);
    for (const c of n.children.values()) collectAll(c);
  };
  collectAll(node);
  return out;
}
