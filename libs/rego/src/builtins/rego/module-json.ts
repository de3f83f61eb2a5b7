/**
 * A parsed module in OPA's JSON form of its AST, for `rego.parse_module`: terms as
 * `{"type": …, "value": …}`, expressions as `{"index", "terms"[, "negated", "with"]}` with
 * operators as calls (`x := 1` is `[assign, x, 1]`), rules as `{"head": {"name", "ref",
 * "value" | "key", "args", "assign"}, "body"[, "default", "else"]}`, the package as its path
 * from `data`, without locations (OPA's default). Comments and annotations are not included.
 */
import type { AstExpr, AstLiteral, AstModule, AstRule, AstTerm } from '../../ast/ast.js';
import type { Value } from '../../value/value.js';
import { compareValues } from '../../value/value-compare.js';

type Json = unknown;

function term(type: string, value: Json): Json {
  return { type, value };
}

function scalarJson(value: Value): Json {
  switch (value.kind) {
    case 'null':
      return term('null', null);
    case 'boolean':
      return term('boolean', value.value);
    case 'number':
      return term('number', value.value);
    case 'string':
      return term('string', value.value);
    case 'array':
      return term('array', value.items.map(scalarJson));
    case 'set':
      return term('set', [...value.items.values()].sort(compareValues).map(scalarJson));
    case 'object':
      return term(
        'object',
        [...value.entries.values()].map(([k, v]) => [scalarJson(k), scalarJson(v)]),
      );
  }
}

const varTerm = (name: string): Json => term('var', name);
const stringTerm = (s: string): Json => term('string', s);

/** The ref of a builtin or operator name: `plus` → [plus], `json.marshal` → [json, "marshal"]. */
function nameRef(dotted: string): Json {
  const [head = '', ...rest] = dotted.split('.');
  return term('ref', [varTerm(head), ...rest.map(stringTerm)]);
}

/** A called function (or `with` target) is a ref in OPA's AST, even a bare name: `count`. */
function fnJson(fn: AstTerm): Json {
  return fn.type === 'var' ? term('ref', [varTerm(fn.name)]) : termJson(fn);
}

function termJson(t: AstTerm): Json {
  switch (t.type) {
    case 'scalar':
      return scalarJson(t.value);
    case 'var':
      return varTerm(t.name);
    case 'ref':
      return term('ref', [termJson(t.head), ...t.path.map(termJson)]);
    case 'array':
      return term('array', t.items.map(termJson));
    case 'set':
      return term('set', t.items.map(termJson));
    case 'object':
      return term(
        'object',
        t.entries.map(([k, v]) => [termJson(k), termJson(v)]),
      );
    case 'arraycompr':
      return term('arraycomprehension', { term: termJson(t.term), body: bodyJson(t.body) });
    case 'setcompr':
      return term('setcomprehension', { term: termJson(t.term), body: bodyJson(t.body) });
    case 'objectcompr':
      return term('objectcomprehension', {
        key: termJson(t.key),
        value: termJson(t.value),
        body: bodyJson(t.body),
      });
    case 'call':
      return term('call', [fnJson(t.fn), ...t.args.map(termJson)]);
  }
}

function exprTerms(e: AstExpr): Json {
  switch (e.type) {
    case 'term':
      // A call statement is the call's terms: operator first, then operands.
      return e.term.type === 'call'
        ? [fnJson(e.term.fn), ...e.term.args.map(termJson)]
        : termJson(e.term);
    case 'unify':
      return [nameRef('eq'), termJson(e.left), termJson(e.right)];
    case 'assign':
      return [nameRef('assign'), termJson(e.left), termJson(e.right)];
    case 'some':
      return { symbols: e.vars.map(termJson) };
    case 'somein': {
      const operands = e.key === undefined ? [e.value] : [e.key, e.value];
      const member = `internal.member_${operands.length + 1}`;
      return {
        symbols: [
          term('call', [nameRef(member), ...operands.map(termJson), termJson(e.collection)]),
        ],
      };
    }
    case 'every':
      return {
        ...(e.key === undefined ? {} : { key: termJson(e.key) }),
        value: termJson(e.value),
        domain: termJson(e.domain),
        body: bodyJson(e.body),
      };
  }
}

function bodyJson(body: readonly AstLiteral[]): Json[] {
  return body.map((literal, index) => ({
    index,
    terms: exprTerms(literal.expr),
    ...(literal.negated ? { negated: true } : {}),
    ...(literal.withs.length === 0
      ? {}
      : {
          // A target is a ref in OPA's AST, even a bare `input`.
          with: literal.withs.map((w) => ({
            target: fnJson(w.target),
            value: termJson(w.value),
          })),
        }),
  }));
}

const TRUE_BODY: Json[] = [{ index: 0, terms: term('boolean', true) }];

function ruleJson(rule: AstRule): Json {
  const ref = rule.ref.map(termJson);
  const first = rule.ref[0];
  const name = rule.ref.length === 1 && first?.type === 'var' ? first.name : undefined;
  const branchJson = (index: number): Json => {
    const branch = rule.branches[index];
    if (branch === undefined) return undefined;
    const head: Record<string, Json> = {
      ...(name === undefined ? {} : { name }),
      ref,
      ...(rule.args.length === 0 ? {} : { args: rule.args.map(termJson) }),
      ...(rule.key === undefined ? {} : { key: termJson(rule.key) }),
      ...(rule.kind === 'set'
        ? {}
        : { value: branch.value === undefined ? term('boolean', true) : termJson(branch.value) }),
      ...(rule.assign ? { assign: true } : {}),
    };
    const next = branchJson(index + 1);
    return {
      head,
      body: branch.body.length === 0 ? TRUE_BODY : bodyJson(branch.body),
      ...(rule.isDefault && index === 0 ? { default: true } : {}),
      ...(next === undefined ? {} : { else: next }),
    };
  };
  return branchJson(0);
}

/** The module's AST in OPA's JSON shape, as JSON-shaped JavaScript. */
export function moduleJson(module: AstModule): Json {
  return {
    package: { path: [varTerm('data'), ...module.packagePath.map(stringTerm)] },
    ...(module.imports.length === 0
      ? {}
      : {
          imports: module.imports.map((i) => {
            const [head = '', ...rest] = i.path;
            return {
              path: term('ref', [varTerm(head), ...rest.map(stringTerm)]),
              ...(i.alias === undefined ? {} : { alias: i.alias }),
            };
          }),
        }),
    ...(module.rules.length === 0 ? {} : { rules: module.rules.map(ruleJson) }),
  };
}
