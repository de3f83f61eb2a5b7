/**
 * OPA's type checker over the compiled policy: infers the type of every term through rule
 * bodies (in their scheduled order), rules, functions and builtin calls, and reports what can
 * never hold as `rego_type_error`s worded as OPA words them: a reference to a field that no
 * value of its type can have (`undefined ref: input.user.nam`, decisive with an input schema),
 * a reference into a scalar, a builtin called with an operand of the wrong type, and two
 * sides of `=` that can never unify. Without schemas `input` and base data are `any`, so only
 * constants and what rules build can be wrong.
 */
import type { Loc } from '../ast/ast.js';
import { RegoCompileError } from '../errors/rego-error.js';
import type { Value } from '../value/value.js';
import { stringifyJson, toJs } from '../value/value-json.js';
import { builtinType } from './builtin-types.js';
import type { CompiledPolicy } from './compiler.js';
import type { Body, CallTerm, CompiledRule, Lit, RuleSet, Term, TreeNode } from './ir.js';
import type { RegoType } from './rego-type.js';
import {
  ANY,
  BOOLEAN,
  fnType,
  keysOf,
  objectOf,
  objectWith,
  or,
  selectConstant,
  setOf,
  sprint,
  tupleOf,
  typeOfValue,
  unifies,
  valuesOf,
} from './rego-type.js';

/** Types of the documents the policy reads: `input` and subtrees of `data` (path segments). */
export interface DocumentTypes {
  readonly input?: RegoType;
  /** Longest path first. */
  readonly data?: ReadonlyArray<{ readonly path: readonly string[]; readonly type: RegoType }>;
  /** Schemas `# METADATA` blocks may name, by ref (`schema.a.b`). */
  readonly named?: ReadonlyMap<string, RegoType>;
}

/** A type error: OPA's message, the source line, and OPA's detail lines (have / want). */
export class RegoTypeCheckError extends RegoCompileError {
  constructor(
    message: string,
    location: Loc,
    source: string | undefined,
    readonly details: readonly string[],
  ) {
    super(message, location, source, 'rego_type_error');
    this.message = [this.message, ...details.map((d) => `\t${d}`)].join('\n');
  }
}

/**
 * Type checks every rule of a compiled policy. Returns the errors sorted by location (all of
 * them, as OPA reports them together); an empty list when the policy is well typed.
 */
export function typeCheckPolicy(
  policy: CompiledPolicy,
  sources: ReadonlyMap<string, string>,
  documents: DocumentTypes = {},
  byRule: ReadonlyMap<CompiledRule, DocumentTypes> = new Map(),
): RegoTypeCheckError[] {
  const checker = new TypeChecker(policy, sources, documents, byRule);
  for (const rs of policy.ruleSets) checker.ruleType(rs);
  return checker.errors.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

type Env = (RegoType | undefined)[];

class TypeChecker {
  readonly errors: RegoTypeCheckError[] = [];
  private readonly reported = new Set<string>();
  private readonly ruleTypes = new Map<RuleSet, RegoType | 'pending'>();
  /** The documents' types for the rule being checked: the engine's, or its annotations'. */
  private documents: DocumentTypes;
  /**
   * With schemas, types flow through variables, rules and calls as in OPA. Without, only
   * constants written in the policy are typed: OPA would also reject, say, `1 + p` for a
   * boolean rule `p`, which other engines evaluate to undefined, and a policy without schemas
   * should not become an error where it worked before.
   */
  private precise: boolean;
  private file = '';

  constructor(
    private readonly policy: CompiledPolicy,
    private readonly sources: ReadonlyMap<string, string>,
    private readonly base: DocumentTypes,
    private readonly byRule: ReadonlyMap<CompiledRule, DocumentTypes>,
  ) {
    this.documents = base;
    this.precise = hasSchemas(base);
  }

  /** The type of a rule set's document (or function), checking its rules on first use. */
  ruleType(rs: RuleSet): RegoType {
    const known = this.ruleTypes.get(rs);
    if (known === 'pending') return ANY;
    if (known !== undefined) return known;
    this.ruleTypes.set(rs, 'pending');
    const outer = this.file;
    let value: RegoType | undefined;
    let keyType: RegoType | undefined;
    const rules = rs.defaultRule ? [...rs.rules, rs.defaultRule] : rs.rules;
    for (const rule of rules) {
      const checked = this.checkRule(rule);
      value = or(value, checked.value);
      if (checked.key !== undefined) keyType = or(keyType, checked.key);
    }
    this.file = outer;
    let type: RegoType;
    switch (rs.kind) {
      case 'complete':
        type = value ?? ANY;
        break;
      case 'set':
        type = setOf(value ?? ANY);
        break;
      case 'object':
        type = objectOf(keyType ?? ANY, ANY);
        break;
      case 'function':
        type = fnType(
          Array.from({ length: rs.arity }, () => ANY),
          value ?? ANY,
        );
        break;
    }
    this.ruleTypes.set(rs, type);
    return type;
  }

  private checkRule(rule: CompiledRule): { value: RegoType | undefined; key?: RegoType } {
    const outer = { documents: this.documents, precise: this.precise };
    this.documents = this.byRule.get(rule) ?? this.base;
    this.precise = hasSchemas(this.documents);
    try {
      return this.checkRuleBodies(rule);
    } finally {
      this.documents = outer.documents;
      this.precise = outer.precise;
    }
  }

  private checkRuleBodies(rule: CompiledRule): { value: RegoType | undefined; key?: RegoType } {
    this.file = rule.loc.file;
    const env: Env = new Array(rule.frameSize);
    for (const arg of rule.args) this.bind(env, arg, ANY);
    let value: RegoType | undefined;
    let key: RegoType | undefined;
    for (const branch of rule.branches) {
      this.checkBody(env, branch.body);
      value = or(value, this.typeOf(env, branch.value));
      const first = rule.suffix[0];
      if (first !== undefined) {
        key = or(key, this.typeOf(env, first));
        for (const s of rule.suffix.slice(1)) this.typeOf(env, s);
      }
    }
    return { value, key };
  }

  private checkBody(env: Env, body: Body): void {
    for (const lit of body) this.checkLiteral(env, lit);
  }

  private checkLiteral(env: Env, lit: Lit): void {
    const e = lit.expr;
    switch (e.k) {
      case 'true':
        return;
      case 'term': {
        const t = this.typeOf(env, e.term);
        if (lit.capture !== undefined && env[lit.capture] === undefined) env[lit.capture] = t;
        return;
      }
      case 'unify': {
        this.bindFrom(env, e.a, e.b);
        this.bindFrom(env, e.b, e.a);
        const ta = this.typeOf(env, e.a);
        const tb = this.typeOf(env, e.b);
        if (!unifies(ta, tb)) {
          this.error('match error', lit.loc, [`left  : ${sprint(ta)}`, `right : ${sprint(tb)}`]);
        }
        return;
      }
      case 'somein': {
        const coll = this.typeOf(env, e.coll);
        this.bind(env, e.value, valuesOf(coll) ?? ANY);
        if (e.key !== undefined) this.bind(env, e.key, keysOf(coll) ?? ANY);
        return;
      }
      case 'every': {
        const domain = this.typeOf(env, e.domain);
        this.bind(env, e.value, valuesOf(domain) ?? ANY);
        if (e.key !== undefined) this.bind(env, e.key, keysOf(domain) ?? ANY);
        this.checkBody(env, e.body);
        return;
      }
    }
  }

  /** Binds the unbound variables of `pattern` from the type of `other`, when `other` is known. */
  private bindFrom(env: Env, pattern: Term, other: Term): void {
    if (!this.hasUnbound(env, pattern) || this.hasUnbound(env, other)) return;
    this.bind(env, pattern, this.typeOf(env, other));
  }

  private hasUnbound(env: Env, t: Term): boolean {
    switch (t.k) {
      case 'var':
        return env[t.slot] === undefined;
      case 'arr':
      case 'set':
        return t.items.some((i) => this.hasUnbound(env, i));
      case 'obj':
        return t.entries.some(([, v]) => this.hasUnbound(env, v));
      default:
        return false;
    }
  }

  /** Gives the unbound variables of a pattern the types the value of type `type` has there. */
  private bind(env: Env, pattern: Term, type: RegoType): void {
    switch (pattern.k) {
      case 'var':
        if (env[pattern.slot] === undefined) env[pattern.slot] = type;
        return;
      case 'arr':
        pattern.items.forEach((item, i) => {
          this.bind(env, item, selectConstant(type, { kind: 'number', value: i }) ?? ANY);
        });
        return;
      case 'set':
        for (const item of pattern.items) this.bind(env, item, valuesOf(type) ?? ANY);
        return;
      case 'obj':
        for (const [k, v] of pattern.entries) {
          const child = k.k === 'val' ? selectConstant(type, k.v) : valuesOf(type);
          this.bind(env, v, child ?? ANY);
        }
        return;
      default:
        this.typeOf(env, pattern);
    }
  }

  private typeOf(env: Env, t: Term): RegoType {
    const type = this.inferred(env, t);
    if (this.precise) return type;
    switch (t.k) {
      case 'var':
      case 'input':
      case 'data':
      case 'ref':
      case 'call':
        return ANY;
      default:
        return type;
    }
  }

  private inferred(env: Env, t: Term): RegoType {
    switch (t.k) {
      case 'val':
        return typeOfValue(t.v);
      case 'var':
        return env[t.slot] ?? ANY;
      case 'input':
        return this.walk(env, this.documents.input ?? ANY, t.path, 0, { head: 'input', term: t });
      case 'data':
        return this.dataType(env, t);
      case 'ref': {
        const head = this.typeOf(env, t.head);
        return this.walk(env, head, t.path, 0, { head: refHead(t.head), term: t });
      }
      case 'arr':
        return tupleOf(t.items.map((i) => this.typeOf(env, i)));
      case 'set': {
        let of: RegoType | undefined;
        for (const i of t.items) of = or(of, this.typeOf(env, i));
        return setOf(of ?? ANY);
      }
      case 'obj': {
        const props = new Map<string, RegoType>();
        let key: RegoType | undefined;
        let value: RegoType | undefined;
        for (const [k, v] of t.entries) {
          const vt = this.typeOf(env, v);
          if (k.k === 'val' && k.v.kind === 'string') props.set(k.v.value, vt);
          else {
            key = or(key, this.typeOf(env, k));
            value = or(value, vt);
          }
        }
        return objectWith(props, key && value ? { key, value } : undefined);
      }
      case 'acompr':
      case 'scompr': {
        this.checkBody(env, t.body);
        const of = this.typeOf(env, t.term);
        return t.k === 'acompr' ? { kind: 'array', items: [], dynamic: of } : setOf(of);
      }
      case 'ocompr': {
        this.checkBody(env, t.body);
        return objectOf(this.typeOf(env, t.key), this.typeOf(env, t.value));
      }
      case 'call':
        return this.checkCall(env, t);
    }
  }

  private checkCall(env: Env, call: CallTerm): RegoType {
    const inputs = call.hasOutput ? call.args.slice(0, -1) : call.args;
    const have = inputs.map((a) => this.typeOf(env, a));
    let decl: { args: readonly RegoType[]; result: RegoType | undefined } | undefined;
    if (call.fn.kind === 'builtin') decl = builtinType(call.fn.def.name);
    else if (call.fn.kind === 'user') {
      const t = this.ruleType(call.fn.ruleSet);
      if (t.kind === 'function') decl = t;
    } else if (call.fn.name === 'internal.member_2' || call.fn.name === 'internal.member_3') {
      decl = { args: inputs.map(() => ANY), result: BOOLEAN };
    }
    if (decl === undefined) {
      if (call.hasOutput) this.bind(env, call.args[call.args.length - 1]!, ANY);
      return ANY;
    }
    const result = decl.result ?? ANY;
    const bad = inputs.some((arg, i) => {
      const want = decl.args[i];
      return want !== undefined && !this.termUnifies(env, arg, want);
    });
    let outputBad = false;
    if (call.hasOutput) {
      const out = call.args[call.args.length - 1]!;
      if (this.hasUnbound(env, out)) this.bind(env, out, result);
      else outputBad = !unifies(this.typeOf(env, out), result);
    }
    if (bad || outputBad) {
      const wantArgs = call.hasOutput ? [...decl.args, result] : decl.args;
      const haveArgs = call.hasOutput
        ? [...have, this.typeOf(env, call.args[call.args.length - 1]!)]
        : have;
      this.error(`${call.name}: invalid argument(s)`, call.loc, [
        `have: (${haveArgs.map(sprint).join(', ')})`,
        `want: (${wantArgs.map(sprint).join(', ')})`,
      ]);
      return ANY;
    }
    return result;
  }

  /**
   * Whether a term can have a type, OPA's `unify1`: a composite written in the policy is
   * checked member by member against the type, so that it need not name every key the type
   * declares (`[{"op": "add", "path": "/a"}]` is a patch list even without `value`).
   */
  private termUnifies(env: Env, t: Term, want: RegoType): boolean {
    if (want.kind === 'any') {
      return want.of.length === 0 || want.of.some((m) => this.termUnifies(env, t, m));
    }
    switch (t.k) {
      case 'val':
        return valueUnifies(t.v, want);
      case 'arr':
        return (
          want.kind === 'array' &&
          (t.items.length === want.items.length || want.dynamic !== undefined) &&
          t.items.every((item, i) => {
            const child = i < want.items.length ? want.items[i] : want.dynamic;
            return child !== undefined && this.termUnifies(env, item, child);
          })
        );
      case 'set':
        return want.kind === 'set' && t.items.every((i) => this.termUnifies(env, i, want.of));
      case 'obj':
        return (
          want.kind === 'object' &&
          (t.entries.length === want.props.size || want.dynamic !== undefined) &&
          t.entries.every(([k, v]) => {
            if (k.k !== 'val') return true;
            const child = selectConstant(want, k.v);
            return child !== undefined && this.termUnifies(env, v, child);
          })
        );
      default:
        return unifies(this.typeOf(env, t), want);
    }
  }

  /** The type of a ref under `data`: a schema's, a rule's, or any for base data. */
  private dataType(env: Env, t: Extract<Term, { k: 'data' }>): RegoType {
    const path = t.path;
    for (const doc of this.documents.data ?? []) {
      if (doc.path.length > path.length) continue;
      if (doc.path.every((seg, i) => isString(path[i], seg))) {
        return this.walk(env, doc.type, path, doc.path.length, { head: 'data', term: t });
      }
    }
    let node: TreeNode = this.policy.tree;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (node.ruleSet !== undefined) {
        return this.walk(env, this.ruleType(node.ruleSet), path, i, { head: 'data', term: t });
      }
      const child =
        seg.k === 'val' && seg.v.kind === 'string' ? node.children.get(seg.v.value) : undefined;
      if (child === undefined) {
        // Base data, or a variable over rules: nothing is known of what is there.
        this.walk(env, ANY, path, i, { head: 'data', term: t });
        return ANY;
      }
      node = child;
    }
    return node.ruleSet !== undefined ? this.ruleType(node.ruleSet) : ANY;
  }

  /**
   * Follows `path[from..]` into a value of type `type` (OPA's `checkRefLeaf`): a constant key
   * the type cannot have, a variable or key of the wrong type, or any key into a scalar is an
   * `undefined ref` error. Variables in the path get the type of the keys they range over.
   */
  private walk(
    env: Env,
    type: RegoType,
    path: readonly Term[],
    from: number,
    ref: { readonly head: string; readonly term: Term & { loc?: Loc } },
  ): RegoType {
    let current = type;
    for (let i = from; i < path.length; i++) {
      const seg = path[i]!;
      const keys = keysOf(current);
      if (keys === undefined) {
        this.refError(ref, path, i, 'unsupported', [`have: ${sprint(current)}`]);
        return ANY;
      }
      if (seg.k === 'val') {
        const child = selectConstant(current, seg.v);
        if (child === undefined) {
          const oneOf = propsOf(current);
          this.refError(ref, path, i, 'invalid', [
            `have: ${termString(seg)}`,
            oneOf.length > 0
              ? `want (one of): [${oneOf.map((k) => JSON.stringify(k)).join(' ')}]`
              : `want (type): ${sprint(keys)}`,
          ]);
          return ANY;
        }
        current = child;
        continue;
      }
      if (seg.k === 'var' && env[seg.slot] === undefined) env[seg.slot] = keys;
      else {
        const have = this.typeOf(env, seg);
        if (!unifies(have, keys)) {
          this.refError(ref, path, i, 'invalid', [
            `have (type): ${sprint(have)}`,
            `want (type): ${sprint(keys)}`,
          ]);
          return ANY;
        }
      }
      current = valuesOf(current) ?? ANY;
    }
    return current;
  }

  private refError(
    ref: { readonly head: string; readonly term: Term & { loc?: Loc } },
    path: readonly Term[],
    pos: number,
    kind: 'unsupported' | 'invalid',
    lines: readonly string[],
  ): void {
    const text = ref.head + path.map(segmentString).join('');
    const upTo = ref.head + path.slice(0, pos).map(segmentString).join('');
    const pad = kind === 'invalid' ? ' '.repeat(upTo.length + 1) : '';
    const marker = kind === 'invalid' ? `${pad}^` : '^'.repeat(upTo.length + 1);
    this.error(`undefined ref: ${text}`, ref.term.loc, [
      text,
      marker,
      ...lines.map((l) => pad + l),
    ]);
  }

  private error(message: string, loc: Loc | undefined, details: readonly string[]): void {
    const at = loc ?? { file: this.file, line: 1, column: 1 };
    // A term may be typed more than once (both sides of `=`): report each error once.
    const key = `${at.file}:${at.line}:${at.column}:${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.errors.push(new RegoTypeCheckError(message, at, this.sources.get(at.file), details));
  }
}

/** OPA's `unify1` for a constant: composites member by member, scalars by their type. */
function valueUnifies(v: Value, want: RegoType): boolean {
  if (want.kind === 'any') {
    return want.of.length === 0 || want.of.some((m) => valueUnifies(v, m));
  }
  switch (v.kind) {
    case 'array':
      return (
        want.kind === 'array' &&
        (v.items.length === want.items.length || want.dynamic !== undefined) &&
        v.items.every((item, i) => {
          const child = i < want.items.length ? want.items[i] : want.dynamic;
          return child !== undefined && valueUnifies(item, child);
        })
      );
    case 'set':
      return want.kind === 'set' && [...v.items.values()].every((i) => valueUnifies(i, want.of));
    case 'object':
      return (
        want.kind === 'object' &&
        (v.entries.size === want.props.size || want.dynamic !== undefined) &&
        [...v.entries.values()].every(([k, value]) => {
          const child = selectConstant(want, k);
          return child !== undefined && valueUnifies(value, child);
        })
      );
    default:
      return unifies(typeOfValue(v), want);
  }
}

function hasSchemas(documents: DocumentTypes): boolean {
  return documents.input !== undefined || (documents.data?.length ?? 0) > 0;
}

function isString(t: Term | undefined, s: string): boolean {
  return t?.k === 'val' && t.v.kind === 'string' && t.v.value === s;
}

function propsOf(t: RegoType): string[] {
  if (t.kind === 'object') return [...t.props.keys()].sort();
  if (t.kind === 'any') return [...new Set(t.of.flatMap(propsOf))].sort();
  return [];
}

function refHead(t: Term): string {
  if (t.k === 'var') return t.name;
  if (t.k === 'call') return `${t.name}(...)`;
  return termString(t);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function segmentString(t: Term): string {
  if (t.k === 'val' && t.v.kind === 'string' && IDENTIFIER.test(t.v.value)) return `.${t.v.value}`;
  return `[${termString(t)}]`;
}

function termString(t: Term): string {
  switch (t.k) {
    case 'val':
      return valueString(t.v);
    case 'var':
      return t.name;
    case 'input':
      return `input${t.path.map(segmentString).join('')}`;
    case 'data':
      return `data${t.path.map(segmentString).join('')}`;
    case 'ref':
      return `${refHead(t.head)}${t.path.map(segmentString).join('')}`;
    case 'call':
      return `${t.name}(...)`;
    default:
      return '...';
  }
}

function valueString(v: Value): string {
  return v.kind === 'string' ? JSON.stringify(v.value) : stringifyJson(toJs(v));
}
