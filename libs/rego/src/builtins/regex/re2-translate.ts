/**
 * Translates an RE2 (Go regexp) pattern into an equivalent JavaScript RegExp, so that the
 * common patterns run on V8's engine (tens of times faster than re2js) with Go's meaning:
 * `.` excludes only `\n`, `\s` is ASCII, `$` is end of text, multi-line anchors stay Go's.
 *
 * Only patterns whose backtracking stays near-linear are translated (see `checkBacktracking`):
 * a loop over a group must split its input into iterations one way only, and at most one
 * unbounded loop may be in flight where the rest of the pattern can still fail. Everything
 * else, and every construct not mapped here, returns undefined and runs on re2js, which is
 * linear-time. A translated pattern also carries the plan that keeps a whole search linear
 * (`searchPlan`); without one, it runs on re2js too.
 */

import { chars, checkBacktracking, nullable } from './re2-backtracking.js';
import { type SearchPlan, searchPlan } from './re2-linearity.js';
import { give, type Node, stripGroups, Untranslatable } from './re2-node.js';

export interface JsRegexSource {
  readonly source: string;
  /** Flags with `u`: right for every subject. */
  readonly flags: string;
  /**
   * Flags without `u`, when the source means the same in that mode for subjects without
   * surrogates (see `surrogateSafe`) and, when case-insensitive, without the few characters
   * whose folding differs (ſ, K, Å, ẞ). V8 runs some patterns (`\b` with `i`) far faster so.
   */
  readonly plainFlags?: string;
  /**
   * The `plainFlags` variant stays exact on subjects with surrogate pairs: the pattern cannot
   * match empty and no character class in it can match half of a pair.
   */
  readonly surrogateSafe?: boolean;
  /** Literal strings every match contains: a subject missing one cannot match (case-sensitive patterns only). */
  readonly required: readonly string[];
  /** Sets of literal strings of which every match contains at least one (from alternations). */
  readonly requiredAny: readonly (readonly string[])[];
  /** How V8 searches the pattern in linear time; undefined when it cannot (re2js does). */
  readonly plan?: SearchPlan;
}

interface Flags {
  readonly s: boolean;
  readonly m: boolean;
  readonly U: boolean;
}

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
  for (const item of node.type === 'alt' ? [node] : items) {
    const alt = stripGroups(item);
    if (alt.type === 'alt') for (const c of sharedRareCharacters(alt.branches)) runs.push(c);
  }
  return runs;
}

/**
 * Punctuation characters every branch has as a literal at its top level (`_` in
 * `gh[pousr]_…|github_pat_…`): every match contains one. Letters, digits and spaces are
 * left out, as they are in nearly every prompt; a rare character is a cheap, decisive check.
 */
function sharedRareCharacters(branches: readonly Node[]): string[] {
  let shared: Set<string> | undefined;
  for (const branch of branches) {
    const b = stripGroups(branch);
    const items = b.type === 'seq' ? b.items : [b];
    const found = new Set<string>();
    for (const item of items) {
      if (item.type !== 'char' || item.literal === undefined) continue;
      const c = String.fromCodePoint(item.literal);
      if (/^[!-/:-@[-`{-~]$/.test(c)) found.add(c);
    }
    shared = shared === undefined ? found : new Set([...shared].filter((c) => found.has(c)));
  }
  return [...(shared ?? [])];
}

/** The literal text a node starts with (possibly empty). */
function literalPrefix(node: Node): string {
  const n = stripGroups(node);
  if (n.type === 'char') return n.literal === undefined ? '' : String.fromCodePoint(n.literal);
  if (n.type !== 'seq') return '';
  let prefix = '';
  for (const item of n.items) {
    if (item.type !== 'char' || item.literal === undefined) break;
    prefix += String.fromCodePoint(item.literal);
  }
  return prefix;
}

/**
 * For each alternation every match goes through (the whole pattern, or a group in its
 * top-level sequence), the literal prefixes of its branches: one of them must occur.
 */
function requiredAlternatives(root: Node): string[][] {
  const node = stripGroups(root);
  const candidates =
    node.type === 'alt' ? [node] : node.type === 'seq' ? node.items.map(stripGroups) : [];
  const out: string[][] = [];
  for (const c of candidates) {
    if (c.type !== 'alt') continue;
    const prefixes = c.branches.map(literalPrefix);
    // Single characters are in nearly every prompt: such a check would cost without saving.
    if (prefixes.every((p) => p.length >= 2)) out.push(prefixes);
  }
  return out;
}

/** Code units standing for the surrogate range: its ends and the halves of common emoji. */
const SURROGATE_SAMPLES = [0xd800, 0xd83d, 0xdbff, 0xdc00, 0xde00, 0xdfff].map((u) =>
  String.fromCharCode(u),
);

function surrogateSafe(root: Node, plainFlags: string): boolean {
  if (nullable(root)) return false;
  return chars(root).every((node) => {
    const probe = new RegExp(`^(?:${node.js})$`, plainFlags);
    return SURROGATE_SAMPLES.every((unit) => !probe.test(unit));
  });
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
    checkBacktracking(root, translator.unicodeOnly);
    new RegExp(root.js, jsFlags);
    const plainFlags = caseInsensitive ? 'i' : '';
    const required = caseInsensitive ? [] : requiredLiterals(root);
    const requiredAny = caseInsensitive ? [] : requiredAlternatives(root);
    const plan = searchPlan(root, { unicodeOnly: translator.unicodeOnly, caseInsensitive });
    const common = {
      source: root.js,
      flags: jsFlags,
      required,
      requiredAny,
      ...(plan ? { plan } : {}),
    };
    if (translator.unicodeOnly) return common;
    new RegExp(root.js, plainFlags);
    return { ...common, plainFlags, surrogateSafe: surrogateSafe(root, plainFlags) };
  } catch (error) {
    if (error instanceof Untranslatable || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
