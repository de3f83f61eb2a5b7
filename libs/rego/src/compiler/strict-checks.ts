/**
 * OPA's compiler strict mode (`opa check --strict`): checks that reject code which is legal
 * but almost certainly a mistake. Unused imports; local variables assigned with `:=` and never
 * read, and function arguments never read; rules, arguments and variables named `input` or
 * `data`; calls of deprecated builtins. Rego v1 already rejects some of these outside strict
 * mode (the compiler reports them first, as it does imports that shadow each other); here
 * they are also reported for v0 modules.
 */
import type { AstLiteral, AstModule, AstRule, AstTerm, Loc } from '../ast/ast.js';
import { RegoCompileError } from '../errors/rego-error.js';
import { visitVars } from './ast-vars.js';
import type { CompiledPolicy } from './compiler.js';
import { walkBody, walkTerm } from './ir-walk.js';

/** Every strict-mode error of the modules, sorted by location. */
export function strictModeErrors(
  modules: readonly AstModule[],
  policy: CompiledPolicy,
): RegoCompileError[] {
  const errors: RegoCompileError[] = [];
  for (const module of modules) {
    const report = (message: string, loc: Loc, code?: 'rego_type_error') =>
      errors.push(new RegoCompileError(message, loc, module.source, code));
    checkImports(module, report);
    for (const rule of module.rules) {
      checkReservedNames(rule, report);
      checkUnusedLocals(rule, report);
    }
  }
  checkDeprecatedCalls(policy, modules, errors);
  return errors.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

type Report = (message: string, loc: Loc, code?: 'rego_type_error') => void;

function importText(imp: AstModule['imports'][number]): string {
  return `import ${imp.path.join('.')}${imp.alias === undefined ? '' : ` as ${imp.alias}`}`;
}

/**
 * Unused imports (`rego.v1` and `future.keywords` are not names). Imports that shadow each
 * other never get here: the compiler rejects them in v0 and v1 alike.
 */
function checkImports(module: AstModule, report: Report): void {
  const seen = new Map<string, AstModule['imports'][number]>();
  for (const imp of module.imports) {
    if (imp.path[0] === 'data' || imp.path[0] === 'input') {
      seen.set(imp.alias ?? imp.path[imp.path.length - 1]!, imp);
    }
  }
  const used = new Set<string>();
  const mark = (t: AstTerm) => deepVars(t, (name) => used.add(name));
  for (const rule of module.rules) {
    for (const t of [...rule.ref.slice(1), ...rule.args]) mark(t);
    if (rule.key) mark(rule.key);
    for (const branch of rule.branches) {
      if (branch.value) mark(branch.value);
      for (const lit of branch.body) literalVars(lit, (name) => used.add(name));
    }
  }
  for (const [alias, imp] of seen) {
    if (!used.has(alias)) report(`${importText(imp)} unused`, imp.loc);
  }
}

/** `input` and `data` name the root documents: no rule, argument or variable may take them. */
function checkReservedNames(rule: AstRule, report: Report): void {
  const head = rule.ref[0];
  if (head?.type === 'var' && (head.name === 'input' || head.name === 'data')) {
    report(`rules must not shadow ${head.name} (use a different rule name)`, rule.loc);
  }
  for (const arg of rule.args) {
    if (arg.type === 'var' && (arg.name === 'input' || arg.name === 'data')) {
      report(`args must not shadow ${arg.name} (use a different variable name)`, arg.loc);
    }
  }
  const visitBody = (body: readonly AstLiteral[]) => {
    for (const lit of body) {
      if (lit.expr.type === 'assign') {
        visitVars(lit.expr.left, (name, loc) => {
          if (name === 'input' || name === 'data') {
            report(`variables must not shadow ${name} (use a different variable name)`, loc);
          }
        });
      }
      forEachNestedBody(lit, visitBody);
    }
  };
  for (const branch of rule.branches) visitBody(branch.body);
}

/**
 * Variables assigned with `:=` that nothing reads (in their body, bodies nested in it, or the
 * head it defines), and function arguments no branch reads.
 */
function checkUnusedLocals(rule: AstRule, report: Report): void {
  const headTerms = [...rule.ref.slice(1), ...(rule.key ? [rule.key] : [])];
  rule.branches.forEach((branch, index) => {
    const head = [...(index === 0 ? headTerms : []), ...(branch.value ? [branch.value] : [])];
    checkBody(branch.body, head, report);
    // Comprehensions in the head have bodies of their own.
    for (const t of head) {
      forEachNestedBodyOfTerm(t, (nested, nestedHead) => checkBody(nested, nestedHead, report));
    }
  });
  if (rule.kind !== 'function') return;
  const used = new Set<string>();
  for (const branch of rule.branches) {
    if (branch.value) deepVars(branch.value, (name) => used.add(name));
    for (const lit of branch.body) literalVars(lit, (name) => used.add(name));
  }
  for (const t of [...rule.ref.slice(1), ...(rule.key ? [rule.key] : [])]) {
    deepVars(t, (name) => used.add(name));
  }
  const argUses = new Map<string, number>();
  for (const arg of rule.args)
    visitVars(arg, (name) => argUses.set(name, (argUses.get(name) ?? 0) + 1));
  for (const arg of rule.args) {
    visitVars(arg, (name, loc) => {
      // A name twice among the arguments is a use: the two operands must be equal.
      if (name === '_' || used.has(name) || (argUses.get(name) ?? 0) > 1) return;
      report(`unused argument ${name}. (hint: use _ (wildcard variable) instead)`, loc);
    });
  }
}

function checkBody(body: readonly AstLiteral[], head: readonly AstTerm[], report: Report): void {
  const assigned: { name: string; loc: Loc; lit: AstLiteral }[] = [];
  for (const lit of body) {
    if (lit.expr.type === 'assign') {
      visitVars(lit.expr.left, (name, loc) => {
        if (name !== '_') assigned.push({ name, loc, lit });
      });
    }
  }
  if (assigned.length > 0) {
    const uses = new Map<string, number>();
    const count = (name: string) => uses.set(name, (uses.get(name) ?? 0) + 1);
    for (const t of head) deepVars(t, count);
    for (const lit of body) literalVars(lit, count);
    // Each assignment's own occurrence is not a use.
    for (const a of assigned) uses.set(a.name, (uses.get(a.name) ?? 0) - 1);
    for (const a of assigned) {
      if ((uses.get(a.name) ?? 0) <= 0) report(`assigned var ${a.name} unused`, a.loc);
    }
  }
  for (const lit of body) {
    forEachNestedBody(lit, (nested, nestedHead) => checkBody(nested, nestedHead, report));
  }
}

type BodyVisitor = (body: readonly AstLiteral[], head: readonly AstTerm[]) => void;

/** Comprehension and `every` bodies directly inside a literal, with the terms they define. */
function forEachNestedBody(lit: AstLiteral, visit: BodyVisitor): void {
  const inTerm = (t: AstTerm) => forEachNestedBodyOfTerm(t, visit);
  const e = lit.expr;
  switch (e.type) {
    case 'term':
      inTerm(e.term);
      break;
    case 'unify':
    case 'assign':
      inTerm(e.left);
      inTerm(e.right);
      break;
    case 'somein':
      inTerm(e.collection);
      break;
    case 'every':
      inTerm(e.domain);
      visit(e.body, []);
      break;
    case 'some':
      break;
  }
  for (const w of lit.withs) inTerm(w.value);
}

/** Comprehension bodies inside a term (not inside those bodies), with the terms they define. */
function forEachNestedBodyOfTerm(term: AstTerm, visit: BodyVisitor): void {
  const inTerm = (t: AstTerm): void => {
    switch (t.type) {
      case 'arraycompr':
      case 'setcompr':
        visit(t.body, [t.term]);
        return;
      case 'objectcompr':
        visit(t.body, [t.key, t.value]);
        return;
      case 'ref':
        inTerm(t.head);
        t.path.forEach(inTerm);
        return;
      case 'array':
      case 'set':
        t.items.forEach(inTerm);
        return;
      case 'object':
        for (const [k, v] of t.entries) {
          inTerm(k);
          inTerm(v);
        }
        return;
      case 'call':
        t.args.forEach(inTerm);
        return;
      default:
        return;
    }
  };
  inTerm(term);
}

/** Every variable a literal mentions, nested bodies included. */
function literalVars(lit: AstLiteral, visit: (name: string) => void): void {
  const e = lit.expr;
  switch (e.type) {
    case 'term':
      deepVars(e.term, visit);
      break;
    case 'unify':
    case 'assign':
      deepVars(e.left, visit);
      deepVars(e.right, visit);
      break;
    case 'some':
      break;
    case 'somein':
      if (e.key) deepVars(e.key, visit);
      deepVars(e.value, visit);
      deepVars(e.collection, visit);
      break;
    case 'every':
      if (e.key) deepVars(e.key, visit);
      deepVars(e.value, visit);
      deepVars(e.domain, visit);
      for (const l of e.body) literalVars(l, visit);
      break;
  }
  for (const w of lit.withs) {
    deepVars(w.target, visit);
    deepVars(w.value, visit);
  }
}

/** Every variable of a term, comprehension bodies and called function names included. */
function deepVars(t: AstTerm, visit: (name: string) => void): void {
  switch (t.type) {
    case 'var':
      visit(t.name);
      return;
    case 'ref':
      deepVars(t.head, visit);
      for (const p of t.path) deepVars(p, visit);
      return;
    case 'array':
    case 'set':
      for (const i of t.items) deepVars(i, visit);
      return;
    case 'object':
      for (const [k, v] of t.entries) {
        deepVars(k, visit);
        deepVars(v, visit);
      }
      return;
    case 'arraycompr':
    case 'setcompr':
      deepVars(t.term, visit);
      for (const l of t.body) literalVars(l, visit);
      return;
    case 'objectcompr':
      deepVars(t.key, visit);
      deepVars(t.value, visit);
      for (const l of t.body) literalVars(l, visit);
      return;
    case 'call':
      deepVars(t.fn, visit);
      for (const a of t.args) deepVars(a, visit);
      return;
    default:
      return;
  }
}

/** Calls that resolved to a deprecated builtin (v0 modules only: v1 does not know them). */
function checkDeprecatedCalls(
  policy: CompiledPolicy,
  modules: readonly AstModule[],
  errors: RegoCompileError[],
): void {
  const sources = new Map(modules.map((m) => [m.file, m.source]));
  for (const rs of policy.ruleSets) {
    const rules = rs.defaultRule ? [...rs.rules, rs.defaultRule] : rs.rules;
    for (const rule of rules) {
      const visit = (t: Parameters<Parameters<typeof walkTerm>[1]>[0]) => {
        if (t.k === 'call' && t.fn.kind === 'builtin' && t.fn.def.deprecated) {
          errors.push(
            new RegoCompileError(
              `deprecated built-in function calls in expression: ${t.name}`,
              t.loc,
              sources.get(t.loc.file),
              'rego_type_error',
            ),
          );
        }
      };
      for (const branch of rule.branches) {
        walkBody(branch.body, visit);
        walkTerm(branch.value, visit);
      }
    }
  }
}
