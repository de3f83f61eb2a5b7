/**
 * Translates an RE2 (Go regexp) pattern into an equivalent JavaScript RegExp, so that the
 * common patterns run on V8's engine (tens of times faster than re2js) with Go's meaning:
 * `.` excludes only `\n`, `\s` is ASCII, `$` is end of text, multi-line anchors stay Go's.
 *
 * Only patterns whose backtracking stays near-linear are translated (see `checkBacktracking`):
 * a loop over a group must split its input into iterations one way only, and at most one
 * unbounded loop may be in flight where the rest of the pattern can still fail. Everything
 * else, and every construct not mapped here, returns undefined and runs on re2js, which is
 * linear-time.
 */

export interface JsRegexSource {
  readonly source: string;
  /** Flags with `u`: right for every subject. */
  readonly flags: string;
  /**
   * Flags without `u`, when the source means the same in that mode for subjects without
   * surrogates (and, when case-insensitive, without characters from U+0100 on). V8 runs
   * some patterns (`\b` with `i`) far faster so.
   */
  readonly plainFlags?: string;
  /** Literal strings every match contains: a subject missing one cannot match (case-sensitive patterns only). */
  readonly required: readonly string[];
}

class Untranslatable extends Error {}

function give(): never {
  throw new Untranslatable();
}

interface Flags {
  readonly s: boolean;
  readonly m: boolean;
  readonly U: boolean;
}

/** The parsed pattern, each node with its JavaScript source. */
type Node =
  | {
      readonly type: 'char';
      readonly js: string;
      readonly probe: RegExp;
      readonly literal?: number;
    }
  | { readonly type: 'assert'; readonly js: string }
  | { readonly type: 'seq'; readonly js: string; readonly items: readonly Node[] }
  | { readonly type: 'alt'; readonly js: string; readonly branches: readonly Node[] }
  | { readonly type: 'group'; readonly js: string; readonly capture: boolean; readonly inner: Node }
  | {
      readonly type: 'repeat';
      readonly js: string;
      readonly base: Node;
      readonly min: number;
      readonly max: number;
    };

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\u0000-\\u007f',
  blank: '\\t ',
  cntrl: '\\u0000-\\u001f\\u007f',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\u000b\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const SPACE_CLASS = '\\t\\n\\f\\r ';
const LARGE_REPEAT = 32;

/** An escape valid with and without the `u` flag, except for astral code points. */
function escapeCodePoint(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/[A-Za-z0-9_ ]/.test(ch)) return ch;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

function unicodeProperty(name: string, negated: boolean): string {
  if (name === 'Any') return negated ? '[^\\s\\S]' : '[\\s\\S]';
  const body = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
  try {
    new RegExp(`\\p{${body}}`, 'u');
  } catch {
    give();
  }
  return `\\${negated ? 'P' : 'p'}{${body}}`;
}

class Translator {
  private i = 0;
  /** Set when the source needs the `u` flag to keep its meaning. */
  unicodeOnly = false;
  private readonly chars: string[];
  constructor(
    pattern: string,
    private readonly globalFlags: string,
  ) {
    this.chars = [...pattern];
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.i + offset];
  }

  private next(): string {
    const c = this.chars[this.i++];
    if (c === undefined) give();
    return c;
  }

  private lookingAt(text: string): boolean {
    return this.chars.slice(this.i, this.i + text.length).join('') === text;
  }

  private ahead(length: number): string {
    return this.chars.slice(this.i, this.i + length).join('');
  }

  translate(flags: Flags): Node {
    const node = this.alternation(flags);
    if (this.i < this.chars.length) give();
    return node;
  }

  private alternation(flags: Flags): Node {
    const branches: Node[] = [this.sequence(flags)];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.sequence(flags));
    }
    if (branches.length === 1) return branches[0] as Node;
    return { type: 'alt', js: branches.map((b) => b.js).join('|'), branches };
  }

  private sequence(initial: Flags): Node {
    let flags = initial;
    const items: Node[] = [];
    while (this.i < this.chars.length && this.peek() !== '|' && this.peek() !== ')') {
      if (/^\(\?[imsU-]+\)/.test(this.ahead(12))) {
        flags = this.flagGroup(flags);
        continue;
      }
      items.push(this.quantified(this.atom(flags), flags));
    }
    if (items.length === 1) return items[0] as Node;
    return { type: 'seq', js: items.map((n) => n.js).join(''), items };
  }

  /** `(?sm-U)`: changes flags for the rest of the enclosing group. Case folding only globally. */
  private flagGroup(flags: Flags): Flags {
    this.i += 2;
    const next = this.flagLetters(flags, ')');
    return next;
  }

  private flagLetters(flags: Flags, end: string): Flags {
    let on = true;
    let { s, m, U } = flags;
    for (let c = this.next(); c !== end; c = this.next()) {
      if (c === '-') on = false;
      else if (c === 's') s = on;
      else if (c === 'm') m = on;
      else if (c === 'U') U = on;
      else give();
    }
    return { s, m, U };
  }

  private atom(flags: Flags): Node {
    const c = this.next();
    switch (c) {
      case '(':
        return this.group(flags);
      case '[':
        return this.charNode(this.characterClass());
      case '.':
        return this.charNode(flags.s ? '[\\s\\S]' : '[^\\n]');
      case '^':
        return { type: 'assert', js: flags.m ? '(?:^|(?<=\\n))' : '^' };
      case '$':
        return { type: 'assert', js: flags.m ? '(?=\\n|$)' : '$' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case ')':
        return give();
      case '{':
        if (/^\d+(,\d*)?\}/.test(this.ahead(12))) give();
        return this.literal('{');
      default:
        return this.literal(c);
    }
  }

  private charNode(js: string, literal?: number): Node {
    return { type: 'char', js, probe: new RegExp(`^(?:${js})$`, this.globalFlags), literal };
  }

  private literal(ch: string): Node {
    const cp = ch.codePointAt(0) as number;
    this.note(cp);
    return this.charNode(escapeCodePoint(cp), cp);
  }

  /** Records code points that only the `u` flag handles as RE2 does. */
  private note(cp: number): void {
    if (cp > 0xffff || (this.globalFlags.includes('i') && cp >= 0x100)) this.unicodeOnly = true;
  }

  private group(outer: Flags): Node {
    let capture = true;
    let flags = outer;
    if (this.peek() === '?') {
      if (this.lookingAt('?:')) {
        this.i += 2;
        capture = false;
      } else if (this.lookingAt('?P<') || this.lookingAt('?<')) {
        this.i += this.lookingAt('?P<') ? 3 : 2;
        // Names are kept by re2js; JavaScript numbers the groups the same way.
        while (this.next() !== '>') {}
      } else {
        if (!/^\?[imsU-]+:/.test(this.ahead(12))) give();
        this.i++;
        flags = this.flagLetters(outer, ':');
        capture = false;
      }
    }
    const inner = this.alternation(flags);
    if (this.next() !== ')') give();
    return { type: 'group', js: capture ? `(${inner.js})` : `(?:${inner.js})`, capture, inner };
  }

  private quantified(atom: Node, flags: Flags): Node {
    const c = this.peek();
    let min: number;
    let max: number;
    let text: string;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      text = c;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.ahead(16));
      if (!m) return atom;
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      text = m[0];
    } else {
      return atom;
    }
    let lazy = false;
    if (this.peek() === '?') {
      this.i++;
      lazy = true;
    }
    if (flags.U) lazy = !lazy;
    if (this.peek() === '*' || this.peek() === '+' || this.peek() === '?') give();
    if (atom.type === 'assert') give();
    return { type: 'repeat', js: `${atom.js}${text}${lazy ? '?' : ''}`, base: atom, min, max };
  }

  private escape(): Node {
    const c = this.next();
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return this.charNode(`\\${c}`);
      case 's':
        return this.charNode(`[${SPACE_CLASS}]`);
      case 'S':
        return this.charNode(`[^${SPACE_CLASS}]`);
      case 'b':
      case 'B':
        return { type: 'assert', js: `\\${c}` };
      case 'A':
        return { type: 'assert', js: '^' };
      case 'z':
        return { type: 'assert', js: '$' };
      case 'p':
      case 'P':
        this.unicodeOnly = true;
        return this.charNode(unicodeProperty(this.propertyName(), c === 'P'));
      case 'Q': {
        const items: Node[] = [];
        while (this.i < this.chars.length && !this.lookingAt('\\E'))
          items.push(this.literal(this.next()));
        if (this.lookingAt('\\E')) this.i += 2;
        if (items.length === 1) return items[0] as Node;
        return {
          type: 'group',
          capture: false,
          js: `(?:${items.map((n) => n.js).join('')})`,
          inner: { type: 'seq', js: items.map((n) => n.js).join(''), items },
        };
      }
      default:
        return this.literal(String.fromCodePoint(this.escapedCodePoint(c)));
    }
  }

  private propertyName(): string {
    if (this.peek() !== '{') return this.next();
    this.i++;
    let name = '';
    for (let c = this.next(); c !== '}'; c = this.next()) name += c;
    if (name.startsWith('^')) give();
    return name;
  }

  /** Code point of a character escape other than classes: `\n`, `\x41`, `\x{263a}`, `\.`. */
  private escapedCodePoint(c: string): number {
    const named: Record<string, number> = { n: 10, t: 9, r: 13, f: 12, v: 11, a: 7 };
    if (c in named) return named[c] as number;
    if (c === 'x') {
      if (this.peek() === '{') {
        this.i++;
        let hex = '';
        for (let d = this.next(); d !== '}'; d = this.next()) hex += d;
        if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) give();
        return Number.parseInt(hex, 16);
      }
      const hex = `${this.next()}${this.next()}`;
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) give();
      return Number.parseInt(hex, 16);
    }
    if (/[\p{P}\p{S}]/u.test(c)) return c.codePointAt(0) as number;
    return give();
  }

  private characterClass(): string {
    let negated = false;
    if (this.peek() === '^') {
      this.i++;
      negated = true;
    }
    let body = '';
    let first = true;
    while (first || this.peek() !== ']') {
      if (this.i >= this.chars.length) give();
      first = false;
      if (this.lookingAt('[:')) {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(this.chars.slice(this.i, this.i + 12).join(''));
        const ranges = m && !m[1] ? POSIX[m[2] as string] : undefined;
        if (!m || ranges === undefined) give();
        body += ranges;
        this.i += m[0].length;
        continue;
      }
      const low = this.classAtom();
      if (typeof low === 'string') {
        body += low;
        continue;
      }
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const high = this.classAtom();
        if (typeof high === 'string') give();
        this.note(low);
        this.note(high);
        body += `${escapeCodePoint(low)}-${escapeCodePoint(high)}`;
      } else {
        this.note(low);
        body += escapeCodePoint(low);
      }
    }
    this.i++;
    if (body === '') give();
    return negated ? `[^${body}]` : `[${body}]`;
  }

  /** A class member: a code point, or (as a string) an escape class to copy (`\d`, `\p{L}`). */
  private classAtom(): number | string {
    const c = this.next();
    if (c !== '\\') return c.codePointAt(0) as number;
    const e = this.next();
    switch (e) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return `\\${e}`;
      case 's':
        return SPACE_CLASS;
      case 'p':
      case 'P': {
        this.unicodeOnly = true;
        const js = unicodeProperty(this.propertyName(), e === 'P');
        if (js.startsWith('[')) give();
        return js;
      }
      default:
        return this.escapedCodePoint(e);
    }
  }
}

/* ---- Backtracking check ---- */

/** Unbounded single-character loops that may still be backtracked into. */
interface Pending {
  /** How many such loops can be in flight on one path (the polynomial degree). */
  readonly degree: number;
  /** Their character classes, over all paths. */
  readonly probes: readonly RegExp[];
}

const NONE: Pending = { degree: 0, probes: [] };
const MAX_DEGREE = 1;
const BMP_LAST = 0xffff;
const disjointCache = new Map<string, boolean>();

/** Whether two single-character matchers share no character (checked over the BMP, cached). */
function classesDisjoint(a: Node & { type: 'char' }, b: RegExp): boolean {
  if (a.literal !== undefined) return !b.test(String.fromCodePoint(a.literal));
  const key = `${a.probe.source}\u0000${a.probe.flags}\u0000${b.source}`;
  const cached = disjointCache.get(key);
  if (cached !== undefined) return cached;
  let disjoint = true;
  for (let cp = 0; cp <= BMP_LAST && disjoint; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const ch = String.fromCharCode(cp);
    if (a.probe.test(ch) && b.test(ch)) disjoint = false;
  }
  disjointCache.set(key, disjoint);
  return disjoint;
}

function chars(node: Node, out: (Node & { type: 'char' })[] = []): (Node & { type: 'char' })[] {
  switch (node.type) {
    case 'char':
      out.push(node);
      break;
    case 'seq':
      for (const n of node.items) chars(n, out);
      break;
    case 'alt':
      for (const n of node.branches) chars(n, out);
      break;
    case 'group':
      chars(node.inner, out);
      break;
    case 'repeat':
      chars(node.base, out);
      break;
    case 'assert':
      break;
  }
  return out;
}

function some(node: Node, test: (n: Node) => boolean): boolean {
  if (test(node)) return true;
  switch (node.type) {
    case 'seq':
      return node.items.some((n) => some(n, test));
    case 'alt':
      return node.branches.some((n) => some(n, test));
    case 'group':
      return some(node.inner, test);
    case 'repeat':
      return some(node.base, test);
    default:
      return false;
  }
}

function nullable(node: Node): boolean {
  switch (node.type) {
    case 'char':
      return false;
    case 'assert':
      return true;
    case 'seq':
      return node.items.every(nullable);
    case 'alt':
      return node.branches.some(nullable);
    case 'group':
      return nullable(node.inner);
    case 'repeat':
      return node.min === 0 || nullable(node.base);
  }
}

/** Matches empty and checks nothing: once reached, the match cannot fail any more. */
function infallible(node: Node): boolean {
  return nullable(node) && !some(node, (n) => n.type === 'assert');
}

function stripGroups(node: Node): Node {
  return node.type === 'group' ? stripGroups(node.inner) : node;
}

/** A single character, or a loop of one with at least one iteration. */
function delimiter(node: Node): (Node & { type: 'char' }) | undefined {
  const n = stripGroups(node);
  if (n.type === 'char') return n;
  if (n.type === 'repeat' && n.min >= 1) {
    const base = stripGroups(n.base);
    if (base.type === 'char') return base;
  }
  return undefined;
}

/**
 * A loop over a group is safe when its input splits into iterations one way only: the body
 * starts or ends with a character (class) that nothing else in the body can match, or it
 * is a fixed string of characters. JavaScript also keeps captures of repeated groups
 * differently from RE2, so such loops must not capture.
 */
function checkLoopBody(body: Node): void {
  if (some(body, (n) => n.type === 'group' && n.capture)) give();
  const inner = stripGroups(body);
  if (!some(inner, (n) => n.type === 'repeat' || n.type === 'alt' || n.type === 'assert')) return;
  const items = inner.type === 'seq' ? inner.items : [inner];
  for (const end of [items[0], items[items.length - 1]]) {
    const d = end === undefined ? undefined : delimiter(end);
    if (d === undefined) continue;
    const others = items.filter((n) => n !== end).flatMap((n) => chars(n));
    if (others.every((o) => classesDisjoint(d, o.probe))) return;
  }
  give();
}

function merge(a: Pending, b: Pending): Pending {
  return { degree: Math.max(a.degree, b.degree), probes: [...new Set([...a.probes, ...b.probes])] };
}

/** Loops still in flight after `node`, given those before it; gives up past the allowed degree. */
function analyse(node: Node, pending: Pending): Pending {
  switch (node.type) {
    case 'char':
      // A required character no pending loop can match ends their backtracking.
      return pending.degree > 0 && pending.probes.every((p) => classesDisjoint(node, p))
        ? NONE
        : pending;
    case 'assert':
      return pending;
    case 'seq':
      return node.items.reduce((acc, n) => analyse(n, acc), pending);
    case 'alt':
      return node.branches.map((b) => analyse(b, pending)).reduce(merge);
    case 'group':
      return analyse(node.inner, pending);
    case 'repeat': {
      const base = stripGroups(node.base);
      const unbounded = node.max === Infinity || node.max > LARGE_REPEAT;
      if (node.max > 1 && base.type !== 'char') checkLoopBody(node.base);
      const once = analyse(node.base, pending);
      let after = node.min === 0 ? merge(pending, once) : once;
      if (unbounded && base.type === 'char') {
        after = { degree: after.degree + 1, probes: [...new Set([...after.probes, base.probe])] };
      } else if (unbounded) {
        after = merge(after, analyse(node.base, once));
      }
      if (after.degree > MAX_DEGREE) give();
      return after;
    }
  }
}

/** Checks a whole pattern; what follows an infallible tail is never backtracked into. */
function checkBacktracking(root: Node): void {
  const branches = root.type === 'alt' ? root.branches : [root];
  for (const branch of branches) {
    const items = branch.type === 'seq' ? branch.items : [branch];
    let end = items.length;
    while (end > 0 && infallible(items[end - 1] as Node)) end--;
    let pending = NONE;
    for (const item of items.slice(0, end)) pending = analyse(item, pending);
    // The tail still gets its loop-body checks.
    for (const item of items.slice(end)) analyse(item, NONE);
  }
}

/** Runs of literal characters that every match must contain, from the pattern's top-level sequence. */
function requiredLiterals(root: Node): string[] {
  const node = stripGroups(root);
  const items = node.type === 'seq' ? node.items : [node];
  const runs: string[] = [];
  let run = '';
  for (const item of items) {
    if (item.type === 'char' && item.literal !== undefined) {
      run += String.fromCodePoint(item.literal);
      continue;
    }
    if (run !== '') runs.push(run);
    run = '';
  }
  if (run !== '') runs.push(run);
  return runs;
}

/**
 * The JavaScript equivalent of an RE2 pattern that re2js has already accepted, or undefined
 * when the pattern uses something not mapped here or could backtrack badly.
 */
export function translateRe2(pattern: string): JsRegexSource | undefined {
  let body = pattern;
  let caseInsensitive = false;
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  let flags: Flags = { s: false, m: false, U: false };
  if (leading) {
    const letters = leading[1] as string;
    caseInsensitive = letters.includes('i');
    flags = { s: letters.includes('s'), m: letters.includes('m'), U: letters.includes('U') };
    body = body.slice(leading[0].length);
  }
  if (/\(\?[^:P<]*i/.test(body)) return undefined;
  const jsFlags = caseInsensitive ? 'iu' : 'u';
  try {
    const translator = new Translator(body, jsFlags);
    const root = translator.translate(flags);
    checkBacktracking(root);
    new RegExp(root.js, jsFlags);
    const plainFlags = caseInsensitive ? 'i' : '';
    const required = caseInsensitive ? [] : requiredLiterals(root);
    if (translator.unicodeOnly) return { source: root.js, flags: jsFlags, required };
    new RegExp(root.js, plainFlags);
    return { source: root.js, flags: jsFlags, plainFlags, required };
  } catch (error) {
    if (error instanceof Untranslatable || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
