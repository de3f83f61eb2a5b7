/**
 * A recursive-descent parser from tokens to the typed AST, for Rego v1 (OPA 1.x) and, when
 * asked, v0 (keywords only through `future.keywords`). `import rego.v1` makes a module v1.
 */
import type {
  AstExpr,
  AstImport,
  AstLiteral,
  AstModule,
  AstRule,
  AstRuleBranch,
  AstTerm,
  AstWith,
  Loc,
} from '../ast/ast.js';
import { RegoParseError } from '../errors/rego-error.js';
import { tokenize } from '../lexer/lexer.js';
import type { Token } from '../lexer/token.js';
import type { Value } from '../value/value.js';
import { bool, NULL, num, str } from '../value/value-builders.js';

export type RegoVersion = 'v0' | 'v1';

const FUTURE_KEYWORDS = ['in', 'every', 'contains', 'if'] as const;
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

/** Parses one module. `regoVersion` is the default syntax; `import rego.v1` switches to v1. */
export function parseModule(file: string, source: string, regoVersion: RegoVersion): AstModule {
  return new Parser(file, source, regoVersion).parseModule();
}

/** Parses a query: literals separated by `;` or newlines. */
export function parseQuery(source: string, regoVersion: RegoVersion = 'v1'): AstLiteral[] {
  const parser = new Parser('query', source, regoVersion);
  if (regoVersion === 'v0') parser.enableAllFutureKeywords();
  return parser.parseQueryBody();
}

/** Thrown instead of an error while parsing speculatively; never escapes the parser. */
const SPECULATION_FAILED: unique symbol = Symbol('speculation failed');

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  private version: RegoVersion;
  private readonly keywords = new Set<string>();
  /** While parsing a comprehension head, `|` ends the term instead of meaning set union. */
  private pipeStops = false;
  /** Terms written in parentheses: `[(a - b) | …]` is a comprehension, `[a - b | …]` an array. */
  private readonly parenthesized = new WeakSet<AstTerm>();
  /** Calls written as infix arithmetic, relation or set operators. */
  private readonly binaryOps = new WeakSet<AstTerm>();
  /** Imports seen, to reject `rego.v1` combined with `future.keywords`. */
  private seenRegoV1 = false;
  /** Depth of speculative parsing (comprehension or array?), where failures backtrack. */
  private speculative = 0;
  private seenFuture = false;

  constructor(
    private readonly file: string,
    private readonly source: string,
    regoVersion: RegoVersion,
  ) {
    this.tokens = tokenize(source, file);
    this.version = regoVersion;
    if (regoVersion === 'v1') this.enableAllFutureKeywords();
  }

  enableAllFutureKeywords(): void {
    for (const k of FUTURE_KEYWORDS) this.keywords.add(k);
  }

  // ---- module level ----

  parseModule(): AstModule {
    this.expectKeyword('package');
    const packagePath = this.parseImportPath();
    if (packagePath[0] === 'data') packagePath.shift();
    if (packagePath.length === 0) this.fail(this.peek(), 'package name');
    const imports: AstImport[] = [];
    while (this.isIdent('import')) imports.push(this.parseImport());
    const rules: AstRule[] = [];
    while (this.peek().kind !== 'eof') {
      if (this.isIdent('import')) this.fail(this.peek(), 'rule (imports must come before rules)');
      rules.push(this.parseRule());
    }
    return {
      file: this.file,
      source: this.source,
      packagePath,
      imports,
      rules,
      regoVersion: this.version,
    };
  }

  private parseImport(): AstImport {
    const loc = this.loc(this.next());
    const path = this.parseImportPath();
    let alias: string | undefined;
    if (this.isIdent('as')) {
      this.next();
      alias = this.expectIdent('alias name');
    }
    const [root, second, third] = path;
    if (root === 'rego' && second === 'v1' && path.length === 2) {
      if (this.seenRegoV1 || this.seenFuture)
        this.failAt(loc, 'this import shadows previous import');
      this.seenRegoV1 = true;
      this.version = 'v1';
      this.enableAllFutureKeywords();
    } else if (root === 'future' && second === 'keywords') {
      if (this.seenRegoV1) this.failAt(loc, 'this import shadows previous import');
      this.seenFuture = true;
      if (third === undefined) this.enableAllFutureKeywords();
      else if ((FUTURE_KEYWORDS as readonly string[]).includes(third)) this.keywords.add(third);
      else this.failAt(loc, `unknown future keyword "${third}"`);
    } else if (root !== 'data' && root !== 'input') {
      this.failAt(
        loc,
        `invalid import path "${path.join('.')}", expected data, input, future.keywords or rego.v1`,
      );
    }
    return { path, alias, loc };
  }

  /** `a.b["c"].d` as plain segments (packages and imports). */
  private parseImportPath(): string[] {
    const path = [this.expectIdent('name')];
    for (;;) {
      const t = this.peek();
      if (t.kind === 'punct' && t.text === '.' && !t.spaceBefore) {
        this.next();
        path.push(this.expectIdent('name'));
      } else if (t.kind === 'punct' && t.text === '[' && !t.spaceBefore) {
        this.next();
        const s = this.next();
        if (s.kind !== 'string' && s.kind !== 'rawstring') this.fail(s, 'string');
        path.push(s.text);
        this.expectPunct(']');
      } else return path;
    }
  }

  // ---- rules ----

  private parseRule(): AstRule {
    const start = this.peek();
    const loc = this.loc(start);
    const isDefault = this.isIdent('default');
    if (isDefault) this.next();
    const nameTok = this.next();
    if (nameTok.kind !== 'ident' || this.isReserved(nameTok.text)) this.fail(nameTok, 'rule name');
    const ref: AstTerm[] = [{ type: 'var', name: nameTok.text, loc: this.loc(nameTok) }];
    let lastWasBracket = false;
    let args: AstTerm[] | undefined;
    for (;;) {
      const t = this.peek();
      if (this.isPunct('.') && !t.spaceBefore) {
        this.next();
        const id = this.next();
        if (id.kind !== 'ident') this.fail(id, 'name');
        ref.push({ type: 'scalar', value: str(id.text), loc: this.loc(id) });
        lastWasBracket = false;
      } else if (this.isPunct('[') && !t.spaceBefore) {
        this.next();
        ref.push(this.parseTermIn());
        this.expectPunct(']');
        lastWasBracket = true;
      } else if (this.isPunct('(') && !t.newlineBefore && args === undefined) {
        this.next();
        args = this.parseTermList(')');
      } else break;
    }
    let key: AstTerm | undefined;
    let value: AstTerm | undefined;
    let assign = false;
    let isSet = false;
    if (this.isKeyword('contains')) {
      this.next();
      key = this.parseTermIn();
      isSet = true;
    } else if (this.isPunct(':=') || this.isPunct('=')) {
      assign = this.next().text === ':=';
      value = this.parseTermIn();
    }
    if (isDefault) {
      if (value === undefined) this.fail(this.peek(), "':=' or '=' after default rule head");
      return {
        kind: args ? 'function' : 'complete',
        isDefault,
        ref,
        args: args ?? [],
        key: undefined,
        assign,
        branches: [{ value, body: [], loc }],
        loc,
      };
    }
    const body = this.parseRuleBody(
      nameTok,
      value === undefined && key === undefined && args === undefined,
    );
    const branches: AstRuleBranch[] = [{ value, body: body ?? [], loc }];
    while (this.isIdent('else')) {
      const elseTok = this.next();
      let elseValue: AstTerm | undefined;
      if (this.isPunct(':=') || this.isPunct('=')) {
        this.next();
        elseValue = this.parseTermIn();
      }
      const elseBody = this.parseRuleBody(elseTok, false);
      branches.push({ value: elseValue, body: elseBody ?? [], loc: this.loc(elseTok) });
    }
    if (
      !isSet &&
      args === undefined &&
      this.version === 'v0' &&
      value === undefined &&
      (lastWasBracket || ref.length === 2)
    ) {
      // v0: `p[x] { ... }` and `p.x { ... }` are partial set rules.
      key = ref.pop();
      isSet = true;
    }
    if (this.version === 'v1' && body === undefined && value === undefined && key === undefined) {
      this.fail(this.peek(), "rule body ('if'), ':=' or 'contains'");
    }
    return {
      kind: args ? 'function' : isSet ? 'set' : 'complete',
      isDefault: false,
      ref,
      args: args ?? [],
      key,
      assign,
      branches,
      loc,
    };
  }

  /** `if { … }`, `if literal`, or (v0) `{ … }`; undefined when the rule has no body. */
  private parseRuleBody(headTok: Token, bareHead: boolean): AstLiteral[] | undefined {
    // v0 modules may use `if` without importing it: in this position it can mean nothing else.
    if (this.isKeyword('if') || (this.isIdent('if') && this.tokens[this.pos + 1]?.text === '{')) {
      this.next();
      if (this.isPunct('{')) return this.comprehensionLiteral() ?? this.parseBraceBody();
      return [this.parseLiteral()];
    }
    if (this.isPunct('{')) {
      if (this.version === 'v1') this.fail(this.peek(), "'if' before the rule body");
      return this.comprehensionLiteral() ?? this.parseBraceBody();
    }
    if (
      bareHead &&
      this.version === 'v0' &&
      !this.peek().newlineBefore &&
      this.peek().kind !== 'eof'
    ) {
      this.fail(this.peek(), 'rule body');
    }
    void headTok;
    return undefined;
  }

  /** `if { x | … }`: a body that is one set or object comprehension, as OPA reads it. */
  private comprehensionLiteral(): AstLiteral[] | undefined {
    if (!this.pipeAtTopOfBraces()) return undefined;
    const start = this.pos;
    const startTok = this.peek();
    this.speculative++;
    try {
      const term = this.parseTermPostfix();
      const next = this.peek();
      if (
        (term.type === 'setcompr' || term.type === 'objectcompr') &&
        (next.newlineBefore || next.kind === 'eof')
      ) {
        const text = this.source.slice(startTok.offset, this.tokens[this.pos - 1]!.end);
        return [
          {
            negated: false,
            expr: { type: 'term', term },
            withs: [],
            loc: this.loc(startTok),
            text,
          },
        ];
      }
    } catch (error) {
      if (error !== SPECULATION_FAILED) throw error;
    } finally {
      this.speculative--;
    }
    this.pos = start;
    return undefined;
  }

  private parseBraceBody(): AstLiteral[] {
    this.expectPunct('{');
    const body = this.parseLiterals('}');
    this.expectPunct('}');
    return body;
  }

  parseQueryBody(): AstLiteral[] {
    const body = this.parseLiterals(undefined);
    if (this.peek().kind !== 'eof') this.fail(this.peek(), 'end of query');
    return body;
  }

  /** Literals separated by `;` or newlines, up to `end` (not consumed) or end of file. */
  private parseLiterals(end: string | undefined): AstLiteral[] {
    const body: AstLiteral[] = [];
    const savedPipe = this.pipeStops;
    this.pipeStops = false;
    for (;;) {
      while (this.isPunct(';')) this.next();
      const t = this.peek();
      if (t.kind === 'eof' || (end !== undefined && t.kind === 'punct' && t.text === end)) break;
      if (body.length > 0 && !t.newlineBefore && !this.prevIs(';'))
        this.fail(t, "';' or a new line between expressions");
      body.push(this.parseLiteral());
    }
    this.pipeStops = savedPipe;
    if (body.length === 0) this.fail(this.peek(), 'expression in body');
    return body;
  }

  private parseLiteral(): AstLiteral {
    const start = this.peek();
    const literal = this.parseLiteralInner();
    const end = this.tokens[this.pos - 1]?.end ?? start.end;
    return { ...literal, text: this.source.slice(start.offset, end) };
  }

  private parseLiteralInner(): Omit<AstLiteral, 'text'> {
    const start = this.peek();
    const loc = this.loc(start);
    if (this.isIdent('some')) {
      this.next();
      return { negated: false, expr: this.parseSome(), withs: this.parseWiths(), loc };
    }
    if (this.isKeyword('every')) {
      this.next();
      return { negated: false, expr: this.parseEvery(), withs: this.parseWiths(), loc };
    }
    let negated = false;
    if (this.isIdent('not')) {
      this.next();
      negated = true;
    }
    const expr = this.parseExpr();
    return { negated, expr, withs: this.parseWiths(), loc };
  }

  private parseSome(): AstExpr {
    const first = this.parseTermRelation();
    const terms = [first];
    while (this.isPunct(',')) {
      this.next();
      terms.push(this.parseTermRelation());
    }
    if (this.isKeyword('in')) {
      this.next();
      if (terms.length > 2) this.fail(this.peek(), 'at most two variables before in');
      const collection = this.parseTermRelation();
      return terms.length === 2
        ? { type: 'somein', key: terms[0], value: terms[1]!, collection }
        : { type: 'somein', key: undefined, value: first, collection };
    }
    for (const t of terms) if (t.type !== 'var') this.failAt(t.loc, 'expected variable after some');
    return { type: 'some', vars: terms };
  }

  private parseEvery(): AstExpr {
    const first = this.parseVarTerm();
    let key: AstTerm | undefined;
    let value = first;
    if (this.isPunct(',')) {
      this.next();
      key = first;
      value = this.parseVarTerm();
    }
    if (!this.isKeyword('in')) this.fail(this.peek(), "'in'");
    this.next();
    const domain = this.parseTermRelation();
    const body = this.parseBraceBody();
    return { type: 'every', key, value, domain, body };
  }

  private parseVarTerm(): AstTerm {
    const t = this.next();
    if (t.kind !== 'ident' || this.isReserved(t.text)) this.fail(t, 'variable');
    return { type: 'var', name: t.text, loc: this.loc(t) };
  }

  private parseExpr(): AstExpr {
    const left = this.parseTermIn();
    if (this.isPunct(',') && this.keywords.has('in')) {
      // `k, v in xs` as an expression.
      this.next();
      const value = this.parseTermRelation();
      if (!this.isKeyword('in')) this.fail(this.peek(), "'in'");
      this.next();
      const coll = this.parseTermRelation();
      return { type: 'term', term: this.call('internal.member_3', [left, value, coll], left.loc) };
    }
    if (this.isPunct(':=') || this.isPunct('=')) {
      const op = this.next().text;
      const right = this.parseTermIn();
      return op === ':=' ? { type: 'assign', left, right } : { type: 'unify', left, right };
    }
    return { type: 'term', term: left };
  }

  private parseWiths(): AstWith[] {
    const withs: AstWith[] = [];
    while (this.isIdent('with')) {
      const loc = this.loc(this.next());
      const target = this.parseTermPostfix();
      if (!this.isIdent('as')) this.fail(this.peek(), "'as'");
      this.next();
      const value = this.parseTermIn();
      withs.push({ target, value, loc });
    }
    return withs;
  }

  // ---- terms, by precedence: in < relation < | < & < + - < * / % < unary < postfix ----

  private parseTermIn(): AstTerm {
    let left = this.parseTermRelation();
    while (this.isKeyword('in') && !this.peek().newlineBefore) {
      this.next();
      const right = this.parseTermRelation();
      left = this.call('internal.member_2', [left, right], left.loc);
    }
    return left;
  }

  private parseTermRelation(): AstTerm {
    let left = this.parseTermOr();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'punct' && !t.newlineBefore ? RELATION_OPS[t.text] : undefined;
      if (op === undefined) return left;
      this.next();
      left = this.binary(op, left, this.parseTermOr());
    }
  }

  private parseTermOr(): AstTerm {
    let left = this.parseTermAnd();
    while (this.isPunct('|') && !this.pipeStops && !this.peek().newlineBefore) {
      this.next();
      left = this.binary('or', left, this.parseTermAnd());
    }
    return left;
  }

  private parseTermAnd(): AstTerm {
    let left = this.parseTermArith();
    while (this.isPunct('&') && !this.peek().newlineBefore) {
      this.next();
      left = this.binary('and', left, this.parseTermArith());
    }
    return left;
  }

  private parseTermArith(): AstTerm {
    let left = this.parseTermFactor();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'punct' && !t.newlineBefore ? ARITH_OPS[t.text] : undefined;
      if (op === undefined) return left;
      this.next();
      left = this.binary(op, left, this.parseTermFactor());
    }
  }

  private parseTermFactor(): AstTerm {
    let left = this.parseTermUnary();
    for (;;) {
      const t = this.peek();
      const op = t.kind === 'punct' && !t.newlineBefore ? FACTOR_OPS[t.text] : undefined;
      if (op === undefined) return left;
      this.next();
      left = this.binary(op, left, this.parseTermUnary());
    }
  }

  private parseTermUnary(): AstTerm {
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

  private parseTermPostfix(): AstTerm {
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

  private extendRef(term: AstTerm, key: AstTerm): AstTerm {
    if (term.type === 'ref')
      return { type: 'ref', head: term.head, path: [...term.path, key], loc: term.loc };
    return { type: 'ref', head: term, path: [key], loc: term.loc };
  }

  private parsePrimary(): AstTerm {
    const t = this.next();
    const loc = this.loc(t);
    switch (t.kind) {
      case 'number':
        return { type: 'scalar', value: parseNumber(t.text), loc };
      case 'string':
      case 'rawstring':
        return { type: 'scalar', value: str(t.text), loc };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false')
          return { type: 'scalar', value: bool(t.text === 'true'), loc };
        if (t.text === 'null') return { type: 'scalar', value: NULL, loc };
        if (this.isReserved(t.text)) this.fail(t, 'term');
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

  private parseArray(loc: Loc): AstTerm {
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
  private canHeadComprehension(head: AstTerm): boolean {
    if (this.parenthesized.has(head) || !this.binaryOps.has(head) || head.type !== 'call')
      return true;
    const setLiteral = (t: AstTerm) => t.type === 'set' || t.type === 'setcompr';
    const name = head.fn.type === 'var' ? head.fn.name : '';
    return !(name === 'and' || name === 'or' || head.args.some(setLiteral));
  }

  /** After `|`: the body and the closing bracket, or undefined (position restored) if that fails. */
  private tryComprehensionBody(end: string): AstLiteral[] | undefined {
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
  private pipeAtTopOfBraces(): boolean {
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

  private parseBrace(loc: Loc): AstTerm {
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

  private parseTermList(end: string): AstTerm[] {
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

  // ---- helpers ----

  private binary(name: string, left: AstTerm, right: AstTerm): AstTerm {
    const term = this.call(name, [left, right], left.loc);
    this.binaryOps.add(term);
    return term;
  }

  private call(name: string, args: AstTerm[], loc: Loc): AstTerm {
    return { type: 'call', fn: { type: 'var', name, loc }, args, loc };
  }

  private isReserved(name: string): boolean {
    return (
      name === 'not' ||
      name === 'some' ||
      name === 'with' ||
      name === 'as' ||
      name === 'default' ||
      name === 'else' ||
      name === 'import' ||
      name === 'package' ||
      this.keywords.has(name)
    );
  }

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  private prevIs(punct: string): boolean {
    const t = this.tokens[this.pos - 1];
    return t !== undefined && t.kind === 'punct' && t.text === punct;
  }

  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === 'punct' && t.text === text;
  }

  private isIdent(text: string): boolean {
    const t = this.peek();
    return t.kind === 'ident' && t.text === text;
  }

  private isKeyword(text: string): boolean {
    return this.keywords.has(text) && this.isIdent(text);
  }

  private expectPunct(text: string): void {
    if (!this.isPunct(text)) this.fail(this.peek(), `'${text}'`);
    this.next();
  }

  private expectKeyword(text: string): void {
    if (!this.isIdent(text)) this.fail(this.peek(), `'${text}'`);
    this.next();
  }

  private expectIdent(what: string): string {
    const t = this.next();
    if (t.kind !== 'ident') this.fail(t, what);
    return t.text;
  }

  private loc(t: Token): Loc {
    return { file: this.file, line: t.line, column: t.column };
  }

  private fail(t: Token, expected: string): never {
    // While trying one reading of ambiguous syntax, failing is cheap: no error is built.
    if (this.speculative > 0) throw SPECULATION_FAILED;
    throw new RegoParseError(
      `unexpected ${describe(t)}, expected ${expected}`,
      this.loc(t),
      this.source,
    );
  }

  private failAt(loc: Loc, message: string): never {
    if (this.speculative > 0) throw SPECULATION_FAILED;
    throw new RegoParseError(message, loc, this.source);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of file';
    case 'ident':
      return `identifier '${t.text}'`;
    case 'number':
      return `number ${t.text}`;
    case 'string':
    case 'rawstring':
      return 'string';
    case 'punct':
      return `'${t.text}'`;
  }
}

function parseNumber(text: string): Value {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    return num(Number.isSafeInteger(n) ? n : BigInt(text));
  }
  return num(Number(text));
}
