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
} from '../ast/ast.js';
import { str } from '../value/value-builders.js';
import { parseAnnotations } from './annotations.js';
import { TermParser } from './term-parser.js';
import type { RegoVersion } from './token-cursor.js';
import { FUTURE_KEYWORDS, SPECULATION_FAILED } from './token-cursor.js';

export type { RegoVersion } from './token-cursor.js';

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

class Parser extends TermParser {
  /** Imports seen, to reject `rego.v1` combined with `future.keywords`. */
  private seenRegoV1 = false;
  private seenFuture = false;

  // ---- module level ----

  parseModule(): AstModule {
    const packageLoc = this.loc(this.peek());
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
    const annotations = parseAnnotations(this.comments, {
      file: this.file,
      source: this.source,
      packageLoc,
      importLocs: imports.map((i) => i.loc),
      ruleLocs: rules.map((r) => r.loc),
    });
    return {
      file: this.file,
      source: this.source,
      packagePath,
      imports,
      rules,
      regoVersion: this.version,
      annotations,
    };
  }

  protected parseImport(): AstImport {
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
  protected parseImportPath(): string[] {
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

  protected parseRule(): AstRule {
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
    const body = this.parseRuleBody();
    const branches: AstRuleBranch[] = [{ value, body: body ?? [], loc }];
    while (this.isIdent('else')) {
      const elseTok = this.next();
      let elseValue: AstTerm | undefined;
      if (this.isPunct(':=') || this.isPunct('=')) {
        this.next();
        elseValue = this.parseTermIn();
      }
      const elseBody = this.parseRuleBody();
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
    if (isSet && branches.length > 1) {
      this.failAt(branches[1]!.loc, 'else keyword cannot be used on multi-value rules');
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

  /**
   * `if { … }`, `if literal`, or (v0) `{ … }`; undefined when the rule has no body. A bare v0
   * head may share its line with the next rule (`r["s"] p1 { … }`): OPA's statements need no
   * newline between them.
   */
  protected parseRuleBody(): AstLiteral[] | undefined {
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
    return undefined;
  }

  /** `if { x | … }`: a body that is one set or object comprehension, as OPA reads it. */
  protected comprehensionLiteral(): AstLiteral[] | undefined {
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

  protected parseBraceBody(): AstLiteral[] {
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
  protected parseLiterals(end: string | undefined): AstLiteral[] {
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

  protected parseLiteral(): AstLiteral {
    const start = this.peek();
    const literal = this.parseLiteralInner();
    const end = this.tokens[this.pos - 1]?.end ?? start.end;
    return { ...literal, text: this.source.slice(start.offset, end) };
  }

  protected parseLiteralInner(): Omit<AstLiteral, 'text'> {
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

  protected parseSome(): AstExpr {
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

  protected parseEvery(): AstExpr {
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

  protected parseVarTerm(): AstTerm {
    const t = this.next();
    if (t.kind !== 'ident' || this.isReserved(t.text)) this.fail(t, 'variable');
    return { type: 'var', name: t.text, loc: this.loc(t) };
  }

  protected parseExpr(): AstExpr {
    const left = this.parseMembership(this.parseTermIn());
    if (this.isPunct(':=') || this.isPunct('=')) {
      const op = this.next().text;
      const right = this.parseMembership(this.parseTermIn());
      return op === ':=' ? { type: 'assign', left, right } : { type: 'unify', left, right };
    }
    return { type: 'term', term: left };
  }

  /** `k, v in xs` after its first term, at the top of an expression or of an assignment's right side. */
  private parseMembership(first: AstTerm): AstTerm {
    if (!this.isPunct(',') || !this.keywords.has('in')) return first;
    this.next();
    const value = this.parseTermRelation();
    if (!this.isKeyword('in')) this.fail(this.peek(), "'in'");
    this.next();
    const coll = this.parseTermRelation();
    return this.call('internal.member_3', [first, value, coll], first.loc);
  }

  protected parseWiths(): AstWith[] {
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
}
