/**
 * Terms and expressions, by precedence: `in` < relations < `|` < `&` < `+ -` < `* / %` <
 * unary minus < refs and calls < primaries. Infix operators become calls to OPA's operator
 * builtins. Arrays and comprehensions (`[x | …]`) are told apart by trying the comprehension.
 * As in OPA, an infix operator at the start of the next line continues the expression
 * (`input.x⏎== 5` is one comparison); only `in` needs to share the line.
 */
import type { AstLiteral, AstTerm, AstWith, Loc } from '../ast/ast.js';
import type { Value } from '../value/value.js';
import { bool, NULL, num, str } from '../value/value-builders.js';
import { SPECULATION_FAILED, TokenCursor } from './token-cursor.js';

const RELATION_OPS: Record<string, string> = {
  '==': 'equal',
  '!=': 'neq',
  '<': 'lt',
  '<=': 'lte',
  '>': 'gt',
  '>=': 'gte',
};
const ARITH_OPS: Record<string, string> = { '+': 'plus', '-': 'minus' };
const FACTOR_OPS: Record<string, string> = { '*': 'mul', '/': 'div', '%': 'rem' };

export abstract class TermParser extends TokenCursor {
  /** While parsing a comprehension head, `|` ends the term instead of meaning set union. */
  protected pipeStops = false;
  /** Terms written in parentheses: `[(a - b) | …]` is a comprehension, `[a - b | …]` an array. */
  protected readonly parenthesized = new WeakSet<AstTerm>();
  /** Calls written as infix arithmetic, relation or set operators. */
  protected readonly binaryOps = new WeakSet<AstTerm>();
  /** Counter for the variables template strings' interpolations bind. */
  protected templateVars = 0;

  /** Literals separated by `;` or newlines, up to `end` (not consumed): the bodies of comprehensions. */
  protected abstract parseLiterals(end: string | undefined): AstLiteral[];

  /** `with … as …` modifiers after an expression (also inside a template's interpolation). */
  protected abstract parseWiths(): AstWith[];

  // ---- terms, by precedence: in < relation < | < & < + - < * / % < unary < postfix ----

  protected parseTermIn(): AstTerm {
    let left = this.parseTermRelation();
    while (this.isKeyword('in') && !this.peek().newlineBefore) {
      this.next();
      const right = this.parseTermRelation();
      left = this.call('internal.member_2', [left, right], left.loc);
    }
    return left;
  }

  protected parseTermRelation(): AstTerm {
    let left = this.parseTermOr();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'punct' ? RELATION_OPS[t.text] : undefined;
      if (op === undefined) return left;
      this.next();
      left = this.binary(op, left, this.parseTermOr());
    }
  }

  protected parseTermOr(): AstTerm {
    let left = this.parseTermAnd();
    while (this.isPunct('|') && !this.pipeStops) {
      this.next();
      left = this.binary('or', left, this.parseTermAnd());
    }
    return left;
  }

  protected parseTermAnd(): AstTerm {
    let left = this.parseTermArith();
    while (this.isPunct('&')) {
      this.next();
      left = this.binary('and', left, this.parseTermArith());
    }
    return left;
  }

  protected parseTermArith(): AstTerm {
    let left = this.parseTermFactor();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'punct' ? ARITH_OPS[t.text] : undefined;
      if (op === undefined) return left;
      this.next();
      left = this.binary(op, left, this.parseTermFactor());
    }
  }

  protected parseTermFactor(): AstTerm {
    let left = this.parseTermUnary();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'punct' ? FACTOR_OPS[t.text] : undefined;
      if (op === undefined) return left;
      this.next();
      left = this.binary(op, left, this.parseTermUnary());
    }
  }

  protected parseTermUnary(): AstTerm {
    if (this.isPunct('-')) {
      const minus = this.next();
      const t = this.peek();
      if (t.kind !== 'number')
        this.failAt(this.loc(minus), 'unary - can only be used with numeric literals');
      this.next();
      return { type: 'scalar', value: parseNumber(`-${t.text}`), loc: this.loc(minus) };
    }
    return this.parseTermPostfix();
  }

  protected parseTermPostfix(): AstTerm {
    let term = this.parsePrimary();
    for (;;) {
      const t = this.peek();
      if (t.kind !== 'punct' || t.spaceBefore) return term;
      if (t.text === '.') {
        this.next();
        const id = this.next();
        if (id.kind !== 'ident') this.fail(id, 'name after .');
        if (id.spaceBefore)
          this.failAt(this.loc(id), 'invalid whitespace between . and identifier');
        term = this.extendRef(term, { type: 'scalar', value: str(id.text), loc: this.loc(id) });
      } else if (t.text === '[') {
        this.next();
        const saved = this.pipeStops;
        this.pipeStops = false;
        const key = this.parseTermIn();
        this.pipeStops = saved;
        this.expectPunct(']');
        term = this.extendRef(term, key);
      } else if (t.text === '(' && (term.type === 'var' || term.type === 'ref')) {
        this.next();
        const args = this.parseTermList(')');
        if (term.type === 'var' && term.name === 'set' && args.length === 0) {
          term = { type: 'set', items: [], loc: term.loc };
        } else term = { type: 'call', fn: term, args, loc: term.loc };
      } else return term;
    }
  }

  protected extendRef(term: AstTerm, key: AstTerm): AstTerm {
    if (term.type === 'ref')
      return { type: 'ref', head: term.head, path: [...term.path, key], loc: term.loc };
    return { type: 'ref', head: term, path: [key], loc: term.loc };
  }

  protected parsePrimary(): AstTerm {
    const t = this.next();
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        return { type: 'scalar', value: parseNumber(t.text), loc };
      case 'string':
      case 'rawstring':
      case 'template':
        return { type: 'scalar', value: str(t.text), loc };
      case 'templatehead':
        return this.parseTemplate(t.text, loc);
      case 'ident': {
        if (t.text === 'true' || t.text === 'false')
          return { type: 'scalar', value: bool(t.text === 'true'), loc };
        if (t.text === 'null') return { type: 'scalar', value: NULL, loc };
        // `contains` is a keyword in rule heads but also a builtin: `contains(s, "x")` is a call.
        const callsBuiltin = t.text === 'contains' && this.isPunct('(') && !this.peek().spaceBefore;
        if (this.isReserved(t.text) && !callsBuiltin) this.fail(t, 'term');
        return { type: 'var', name: t.text, loc };
      }
      case 'punct':
        if (t.text === '(') {
          const saved = this.pipeStops;
          this.pipeStops = false;
          const inner = this.parseTermIn();
          this.pipeStops = saved;
          this.expectPunct(')');
          this.parenthesized.add(inner);
          return inner;
        }
        if (t.text === '[') return this.parseArray(loc);
        if (t.text === '{') return this.parseBrace(loc);
        return this.fail(t, 'term');
      default:
        return this.fail(t, 'term');
    }
  }

  /**
   * A template string after its head token: `$"a{x}b"` is
   * `internal.template_string(["a", {v | v := x}, "b"])`, as OPA compiles it. Each
   * interpolation becomes a set of its values, so an undefined one is empty (rendered
   * `<undefined>`) and one with several values is an error, both found by the builtin.
   */
  protected parseTemplate(head: string, loc: Loc): AstTerm {
    const parts: AstTerm[] = [];
    if (head !== '') parts.push({ type: 'scalar', value: str(head), loc });
    for (;;) {
      const saved = this.pipeStops;
      this.pipeStops = false;
      const first = this.peek();
      const expr = this.parseTermIn();
      const withs = this.parseWiths();
      this.pipeStops = saved;
      const name = `__template${this.templateVars++}__`;
      const v: AstTerm = { type: 'var', name, loc: expr.loc };
      const text = this.source.slice(first.offset, this.tokens[this.pos - 1]!.end);
      parts.push({
        type: 'setcompr',
        term: v,
        body: [
          {
            negated: false,
            expr: { type: 'assign', left: v, right: expr },
            withs,
            loc: expr.loc,
            text,
          },
        ],
        loc: expr.loc,
      });
      const t = this.next();
      if (t.kind !== 'templatemiddle' && t.kind !== 'templatetail')
        this.fail(t, "'}' closing the template string's expression");
      if (t.text !== '') parts.push({ type: 'scalar', value: str(t.text), loc: this.loc(t) });
      if (t.kind === 'templatetail') break;
    }
    return this.call('internal.template_string', [{ type: 'array', items: parts, loc }], loc);
  }

  protected parseArray(loc: Loc): AstTerm {
    if (this.isPunct(']')) {
      this.next();
      return { type: 'array', items: [], loc };
    }
    const saved = this.pipeStops;
    const start = this.pos;
    this.pipeStops = true;
    const first = this.parseTermIn();
    this.pipeStops = false;
    if (this.isPunct('|') && this.canHeadComprehension(first)) {
      const body = this.tryComprehensionBody(']');
      if (body !== undefined) {
        this.pipeStops = saved;
        return { type: 'arraycompr', term: first, body, loc };
      }
    }
    // Not a comprehension: parse again with `|` as set union.
    this.pos = start;
    const items: AstTerm[] = [];
    while (!this.isPunct(']')) {
      items.push(this.parseTermIn());
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expectPunct(']');
    this.pipeStops = saved;
    return { type: 'array', items, loc };
  }

  /**
   * Whether `[head | …]` may be a comprehension. Any head may, except an unparenthesized set
   * expression (`[a & {1} | b]`, `[a - {1} | b]`), which reads as an array whose first item
   * continues with `|` as union, as Regorus does; `[x * 2 | …]` stays a comprehension.
   */
  protected canHeadComprehension(head: AstTerm): boolean {
    if (this.parenthesized.has(head) || !this.binaryOps.has(head) || head.type !== 'call')
      return true;
    const setLiteral = (t: AstTerm) => t.type === 'set' || t.type === 'setcompr';
    const name = head.fn.type === 'var' ? head.fn.name : '';
    return !(name === 'and' || name === 'or' || head.args.some(setLiteral));
  }

  /** After `|`: the body and the closing bracket, or undefined (position restored) if that fails. */
  protected tryComprehensionBody(end: string): AstLiteral[] | undefined {
    const start = this.pos;
    this.speculative++;
    try {
      this.next();
      const body = this.parseLiterals(end);
      this.expectPunct(end);
      return body;
    } catch (error) {
      if (error !== SPECULATION_FAILED) throw error;
      this.pos = start;
      return undefined;
    } finally {
      this.speculative--;
    }
  }

  /** Whether the braces starting here hold a `|` at their own level (a comprehension is possible). */
  protected pipeAtTopOfBraces(): boolean {
    let depth = 0;
    for (let i = this.pos; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (t.kind !== 'punct') continue;
      if (t.text === '{' || t.text === '[' || t.text === '(') depth++;
      else if (t.text === '}' || t.text === ']' || t.text === ')') {
        depth--;
        if (depth === 0) return false;
      } else if (t.text === '|' && depth === 1) return true;
    }
    return false;
  }

  protected parseBrace(loc: Loc): AstTerm {
    if (this.isPunct('}')) {
      this.next();
      return { type: 'object', entries: [], loc };
    }
    const saved = this.pipeStops;
    const start = this.pos;
    this.pipeStops = true;
    const first = this.parseTermIn();
    if (this.isPunct(':')) {
      this.next();
      const value = this.parseTermIn();
      this.pipeStops = false;
      if (this.isPunct('|') && this.canHeadComprehension(value)) {
        const body = this.tryComprehensionBody('}');
        if (body !== undefined) {
          this.pipeStops = saved;
          return { type: 'objectcompr', key: first, value, body, loc };
        }
      }
    } else {
      this.pipeStops = false;
      if (this.isPunct('|') && this.canHeadComprehension(first)) {
        const body = this.tryComprehensionBody('}');
        if (body !== undefined) {
          this.pipeStops = saved;
          return { type: 'setcompr', term: first, body, loc };
        }
      }
    }
    this.pos = start;
    const firstItem = this.parseTermIn();
    let result: AstTerm;
    if (this.isPunct(':')) {
      this.next();
      const entries: (readonly [AstTerm, AstTerm])[] = [[firstItem, this.parseTermIn()]];
      while (this.isPunct(',')) {
        this.next();
        if (this.isPunct('}')) break;
        const k = this.parseTermIn();
        this.expectPunct(':');
        entries.push([k, this.parseTermIn()]);
      }
      result = { type: 'object', entries, loc };
    } else {
      const items = [firstItem];
      while (this.isPunct(',')) {
        this.next();
        if (this.isPunct('}')) break;
        items.push(this.parseTermIn());
      }
      result = { type: 'set', items, loc };
    }
    this.expectPunct('}');
    this.pipeStops = saved;
    return result;
  }

  protected parseTermList(end: string): AstTerm[] {
    const saved = this.pipeStops;
    this.pipeStops = false;
    const items: AstTerm[] = [];
    while (!this.isPunct(end)) {
      items.push(this.parseTermIn());
      if (!this.isPunct(',')) break;
      this.next();
    }
    this.expectPunct(end);
    this.pipeStops = saved;
    return items;
  }

  protected binary(name: string, left: AstTerm, right: AstTerm): AstTerm {
    const term = this.call(name, [left, right], left.loc);
    this.binaryOps.add(term);
    return term;
  }

  protected call(name: string, args: AstTerm[], loc: Loc): AstTerm {
    return { type: 'call', fn: { type: 'var', name, loc }, args, loc };
  }
}

/**
 * A number literal, read exactly as OPA reads it: a literal whose value is an integer (`1e30`,
 * `1.5e3`, `10.00`) is that integer, exact past 2^53, marked as written in float form; other
 * literals are doubles.
 */
function parseNumber(text: string): Value {
  if (/^-?\d+$/.test(text)) return integer(BigInt(text));
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match !== null) {
    const [, sign, whole, fraction = '', exponent = '0'] = match;
    const scale = Number(exponent) - fraction.length;
    const digits = BigInt(`${sign}${whole}${fraction}`);
    if (scale >= 0 && scale <= 400) return floatForm(integer(digits * 10n ** BigInt(scale)));
    if (scale < 0 && scale >= -400) {
      const divisor = 10n ** BigInt(-scale);
      if (digits % divisor === 0n) return floatForm(integer(digits / divisor));
    }
  }
  return num(Number(text));
}

/** An integral value written as a float (`1.0`, `1e3`): the form OPA keeps. */
function floatForm(value: Value): Value {
  return value.kind === 'number' ? { ...value, float: true } : value;
}

function integer(n: bigint): Value {
  const small = Number(n);
  return num(Number.isSafeInteger(small) ? small : n);
}
