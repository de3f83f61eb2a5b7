/**
 * Which rule sets take the same value in every evaluation of a policy over the same base
 * data: those that read no `input`, call no builtin whose result depends on the moment or
 * the world (the clock, randomness, the network), print nothing, hold no `with`, and read
 * only rule sets (or functions) of which all this holds. The engine keeps their values from
 * one evaluation to the next (tables of detectors, patterns, limits), until its modules or
 * data change.
 */
import type { BuiltinDefinition } from '../builtins/builtin.js';
import type { CompiledPolicy } from './compiler.js';
import type { Body, CompiledRule, Expr, RuleSet, Term, TreeNode } from './ir.js';
import { walkLit, walkTerm } from './ir-walk.js';

/**
 * Builtins that read the query's clock although OPA does not mark them nondeterministic
 * (token and certificate validity), and the families that reach outside the process.
 */
const WORLD_PREFIXES = [
  'time.now',
  'io.jwt.decode_verify',
  'crypto.x509.',
  'http.',
  'net.lookup',
  'opa.runtime',
  'rand.',
  'uuid.',
  // The annotations of the rule being evaluated: kept per rule set would do, but the
  // evaluator's notion of "the rule being evaluated" is not this analysis' business.
  'rego.metadata.',
];

function readsTheWorld(def: BuiltinDefinition): boolean {
  return def.nondeterministic === true || WORLD_PREFIXES.some((p) => def.name.startsWith(p));
}

/** For each rule set id, whether its value is the same in every evaluation (see above). */
export function inputFreeRuleSets(policy: CompiledPolicy): readonly boolean[] {
  return analyse(policy).inputFree;
}

/**
 * What a function definition's arguments alone decide: its leading literals up to `prefix`
 * read nothing but its arguments, data and input-free rules, so for the same argument values
 * (the rows of an input-free table, `triggered(detector)`) they hold or fail in every
 * evaluation over the same data. `keys` are the argument positions they read. `value`: the
 * prefix is the whole body and the value reads nothing else either, so the arguments decide
 * the definition's result too.
 */
export interface ArgumentDecided {
  readonly prefix: number;
  readonly keys: readonly number[];
  readonly value: boolean;
}

/**
 * The input-free analysis of a policy: by rule set id, whether the rule set is input-free,
 * and for functions, per definition, what its arguments decide (undefined: nothing, or a
 * definition with `else`, argument patterns or a repeated argument).
 */
export function analyseInputFree(policy: CompiledPolicy): {
  readonly inputFree: readonly boolean[];
  readonly argumentDecided: readonly (readonly (ArgumentDecided | undefined)[] | undefined)[];
} {
  return analyse(policy);
}

function analyse(policy: CompiledPolicy): {
  readonly inputFree: readonly boolean[];
  readonly argumentDecided: readonly (readonly (ArgumentDecided | undefined)[] | undefined)[];
} {
  const free: (boolean | undefined)[] = new Array(policy.ruleSets.length).fill(undefined);
  const visiting = new Set<RuleSet>();

  const isFree = (rs: RuleSet): boolean => {
    const known = free[rs.id];
    if (known !== undefined) return known;
    // Recursion is rejected at compile time; a cycle here would only be through a ref the
    // compiler resolves dynamically: treat it as input-dependent.
    if (visiting.has(rs)) return false;
    visiting.add(rs);
    const rules: CompiledRule[] = rs.defaultRule ? [...rs.rules, rs.defaultRule] : rs.rules;
    const result = rules.every(ruleIsFree);
    visiting.delete(rs);
    free[rs.id] = result;
    return result;
  };

  const termIsFree = (term: Term): boolean => {
    let ok = true;
    walkTerm(term, (t) => {
      if (!ok) return;
      switch (t.k) {
        case 'input':
          ok = false;
          return;
        case 'data':
          ok = dataDependencies(policy.tree, t.path).every(isFree);
          return;
        case 'call':
          if (t.fn.kind === 'user') ok = isFree(t.fn.ruleSet);
          else if (t.fn.kind === 'builtin') ok = !readsTheWorld(t.fn.def);
          else ok = t.fn.name !== 'print';
          return;
        case 'acompr':
        case 'scompr':
        case 'ocompr':
          ok = bodyHasNoWith(t.body);
          return;
        default:
          return;
      }
    });
    return ok;
  };

  const bodyIsFree = (body: Body): boolean =>
    body.every((lit) => lit.withs === undefined && exprIsFree(lit.expr));

  const exprIsFree = (expr: Expr): boolean => {
    switch (expr.k) {
      case 'term':
        return termIsFree(expr.term);
      case 'unify':
        return termIsFree(expr.a) && termIsFree(expr.b);
      case 'somein':
        return (
          (expr.key === undefined || termIsFree(expr.key)) &&
          termIsFree(expr.value) &&
          termIsFree(expr.coll)
        );
      case 'every':
        return (
          (expr.key === undefined || termIsFree(expr.key)) &&
          termIsFree(expr.value) &&
          termIsFree(expr.domain) &&
          bodyIsFree(expr.body)
        );
      case 'true':
        return true;
    }
  };

  const ruleIsFree = (rule: CompiledRule): boolean =>
    rule.suffix.every(termIsFree) &&
    rule.args.every(termIsFree) &&
    rule.branches.every((b) => termIsFree(b.value) && bodyIsFree(b.body));

  /** Comprehension bodies: their terms are walked by `walkTerm`, their `with`s are not. */
  const bodyHasNoWith = (body: Body): boolean =>
    body.every(
      (lit) => lit.withs === undefined && (lit.expr.k !== 'every' || bodyHasNoWith(lit.expr.body)),
    );

  /** The arguments' share of a function definition (see `ArgumentDecided`). */
  const argumentDecided = (rule: CompiledRule): ArgumentDecided | undefined => {
    if (rule.branches.length !== 1 || !rule.args.every((a) => a.k === 'var')) return undefined;
    const slots = rule.args.map((a) => (a as { slot: number }).slot);
    if (new Set(slots).size !== slots.length) return undefined;
    const branch = rule.branches[0]!;
    let prefix = 0;
    while (
      prefix < branch.body.length &&
      branch.body[prefix]!.withs === undefined &&
      exprIsFree(branch.body[prefix]!.expr)
    )
      prefix++;
    if (prefix === 0) return undefined;
    const read = new Set<number>();
    const reads = (x: Term): void => {
      if (x.k === 'var') read.add(x.slot);
    };
    for (const lit of branch.body.slice(0, prefix)) walkLit(lit, reads);
    const value = prefix === branch.body.length && termIsFree(branch.value);
    if (value) walkTerm(branch.value, reads);
    const keys = slots.flatMap((slot, i) => (read.has(slot) ? [i] : []));
    return { prefix, keys, value };
  };

  const inputFree = policy.ruleSets.map(isFree);
  return {
    inputFree,
    argumentDecided: policy.ruleSets.map((rs) =>
      rs.kind === 'function' && rs.arity > 0 ? rs.rules.map(argumentDecided) : undefined,
    ),
  };
}

/** The rule sets a ref under data may read: those along its constant prefix and all below it. */
function dataDependencies(tree: TreeNode, path: readonly Term[]): RuleSet[] {
  const out: RuleSet[] = [];
  let node = tree;
  for (const seg of path) {
    if (node.ruleSet) out.push(node.ruleSet);
    if (seg.k !== 'val' || (seg.v.kind !== 'string' && seg.v.kind !== 'number')) break;
    const child = node.children.get(String(seg.v.value));
    if (child === undefined) return out;
    node = child;
  }
  const below = (n: TreeNode): void => {
    if (n.ruleSet) out.push(n.ruleSet);
    for (const c of n.children.values()) below(c);
  };
  below(node);
  return out;
}
