/**
 * Translates an RE2 (Go regexp) pattern into an equivalent JavaScript RegExp, so that the
 * common patterns run on V8's engine (tens of times faster than re2js) with Go's meaning:
 * `.` excludes only `\n`, `\s` is ASCII, `$` is end of text, multi-line anchors stay Go's.
 *
 * Only patterns whose backtracking stays polynomial and small are translated: no loop over a
 * group holding a quantifier, alternation or capture, and at most one unbounded loop between
 * separators (a required literal the loop cannot match). Everything else, and every construct
 * not mapped here, returns undefined and runs on re2js, which is linear-time.
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

/** What the safety analysis knows of an emitted piece. */
interface Piece {
  readonly js: string;
  /** A single-character matcher (literal, class, escape, dot). */
  readonly single: boolean;
  /** The literal code point when the piece is exactly one literal character. */
  readonly literal?: string;
  readonly hasQuantifier: boolean;
  readonly hasAlternation: boolean;
  readonly hasCapture: boolean;
  /** A zero-width assertion (`^`, `\b`), which cannot be repeated. */
  readonly assertion?: boolean;
  /** Unbounded loops in flight after the piece, given those before it (see `Analysis`). */
  readonly analyse: (pending: Pending) => Pending;
}

/** Unbounded single-character loops not yet separated; `null` entries never separate. */
type Pending = readonly (RegExp | null)[];

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
const MAX_PENDING = 1;
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
  private depth = 0;
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

  translate(flags: Flags): Piece {
    const piece = this.alternation(flags);
    if (this.i < this.chars.length) give();
    return piece;
  }

  private alternation(flags: Flags): Piece {
    const branches: Piece[] = [this.sequence(flags)];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.sequence(flags));
    }
    if (branches.length === 1) return branches[0] as Piece;
    return {
      js: branches.map((b) => b.js).join('|'),
      single: false,
      hasQuantifier: branches.some((b) => b.hasQuantifier),
      hasAlternation: true,
      hasCapture: branches.some((b) => b.hasCapture),
      analyse: (pending) => merge(branches.map((b) => b.analyse(pending))),
    };
  }

  private sequence(initial: Flags): Piece {
    let flags = initial;
    const items: Piece[] = [];
    while (this.i < this.chars.length && this.peek() !== '|' && this.peek() !== ')') {
      if (
        this.lookingAt('(?') &&
        /^\(\?[imsU-]+\)/.test(this.chars.slice(this.i, this.i + 12).join(''))
      ) {
        flags = this.flagGroup(flags);
        continue;
      }
      const atom = this.atom(flags);
      items.push(this.quantified(atom, flags));
    }
    return {
      js: items.map((p) => p.js).join(''),
      single: items.length === 1 && (items[0] as Piece).single,
      literal: items.length === 1 ? (items[0] as Piece).literal : undefined,
      hasQuantifier: items.some((p) => p.hasQuantifier),
      hasAlternation: items.some((p) => p.hasAlternation),
      hasCapture: items.some((p) => p.hasCapture),
      analyse: (pending) => items.reduce((acc, p) => p.analyse(acc), pending),
    };
  }

  /** `(?sm-U)`: changes flags for the rest of the enclosing group. Case folding only globally. */
  private flagGroup(flags: Flags): Flags {
    this.i += 2;
    let on = true;
    let { s, m, U } = flags;
    for (let c = this.next(); c !== ')'; c = this.next()) {
      if (c === '-') on = false;
      else if (c === 's') s = on;
      else if (c === 'm') m = on;
      else if (c === 'U') U = on;
      else give();
    }
    return { s, m, U };
  }

  private atom(flags: Flags): Piece {
    const c = this.next();
    switch (c) {
      case '(':
        return this.group(flags);
      case '[':
        return this.single(this.characterClass());
      case '.':
        return this.single(flags.s ? '[\\s\\S]' : '[^\\n]');
      case '^':
        return this.assertion(flags.m ? '(?:^|(?<=\\n))' : '^');
      case '$':
        return this.assertion(flags.m ? '(?=\\n|$)' : '$');
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case ')':
        return give();
      case '{':
        if (/^\d+(,\d*)?\}/.test(this.chars.slice(this.i, this.i + 12).join(''))) give();
        return this.literal('{');
      default:
        return this.literal(c);
    }
  }

  private literal(ch: string): Piece {
    this.note(ch.codePointAt(0) as number);
    return {
      ...this.single(escapeCodePoint(ch.codePointAt(0) as number)),
      literal: ch,
      analyse: (pending) => separate(pending, ch),
    };
  }

  /** Records code points that only the `u` flag handles as RE2 does. */
  private note(cp: number): void {
    if (cp > 0xffff || (this.globalFlags.includes('i') && cp >= 0x100)) this.unicodeOnly = true;
  }

  private single(js: string): Piece {
    return {
      js,
      single: true,
      hasQuantifier: false,
      hasAlternation: false,
      hasCapture: false,
      analyse: (pending) => pending,
    };
  }

  private assertion(js: string): Piece {
    return { ...this.single(js), single: false, assertion: true };
  }

  private group(outer: Flags): Piece {
    let capture = true;
    let flags = outer;
    if (this.peek() === '?') {
      if (this.lookingAt('?:')) {
        this.i += 2;
        capture = false;
      } else if (this.lookingAt('?P<') || this.lookingAt('?<')) {
        this.i += this.lookingAt('?P<') ? 3 : 2;
        while (this.next() !== '>') {
          // Group names are tracked by re2js; the JavaScript pattern numbers groups the same way.
        }
      } else {
        const m = /^\?([imsU-]+):/.exec(this.chars.slice(this.i, this.i + 12).join(''));
        if (!m) give();
        flags = this.scopedFlags(outer);
        capture = false;
      }
    }
    this.depth++;
    const inner = this.alternation(flags);
    this.depth--;
    if (this.next() !== ')') give();
    return {
      js: capture ? `(${inner.js})` : `(?:${inner.js})`,
      single: false,
      hasQuantifier: inner.hasQuantifier,
      hasAlternation: inner.hasAlternation,
      hasCapture: capture || inner.hasCapture,
      analyse: inner.analyse,
    };
  }

  /** Reads `ims-U:` of `(?flags:re)` (after the `?`), returning the group's flags. */
  private scopedFlags(outer: Flags): Flags {
    let on = true;
    let { s, m, U } = outer;
    this.i++;
    for (let c = this.next(); c !== ':'; c = this.next()) {
      if (c === '-') on = false;
      else if (c === 's') s = on;
      else if (c === 'm') m = on;
      else if (c === 'U') U = on;
      else give();
    }
    return { s, m, U };
  }

  private quantified(atom: Piece, flags: Flags): Piece {
    const c = this.peek();
    let min: number;
    let max: number;
    let text: string;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      text = c;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.chars.slice(this.i, this.i + 16).join(''));
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
    const loops = max > 1;
    // A loop over anything but a plain sequence of characters can backtrack exponentially,
    // and JavaScript keeps captures of repeated groups differently from RE2.
    if (loops && (atom.hasQuantifier || atom.hasAlternation || atom.hasCapture)) give();
    if (atom.assertion === true) give();
    // A loop ending the whole pattern has nothing after it that could fail and make it backtrack.
    const last = this.depth === 0 && this.i === this.chars.length;
    const unbounded = (max === Infinity || max > LARGE_REPEAT) && !last;
    const probe = atom.single ? new RegExp(`^(?:${atom.js})$`, this.globalFlags) : null;
    return {
      js: `${atom.js}${text}${lazy ? '?' : ''}`,
      single: false,
      hasQuantifier: true,
      hasAlternation: atom.hasAlternation,
      hasCapture: atom.hasCapture,
      analyse: (pending) => {
        const after = atom.analyse(pending);
        if (!unbounded) return min === 0 ? merge([pending, after]) : after;
        const grown = [...after, probe];
        if (grown.length > MAX_PENDING) give();
        return grown;
      },
    };
  }

  private escape(): Piece {
    const c = this.next();
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
        return this.single(`\\${c}`);
      case 's':
        return this.single(`[${SPACE_CLASS}]`);
      case 'S':
        return this.single(`[^${SPACE_CLASS}]`);
      case 'b':
      case 'B':
        return this.assertion(`\\${c}`);
      case 'A':
        return this.assertion('^');
      case 'z':
        return this.assertion('$');
      case 'p':
      case 'P':
        this.unicodeOnly = true;
        return this.single(unicodeProperty(this.propertyName(), c === 'P'));
      case 'Q': {
        let js = '';
        while (this.i < this.chars.length && !this.lookingAt('\\E')) {
          const cp = this.next().codePointAt(0) as number;
          this.note(cp);
          js += escapeCodePoint(cp);
        }
        if (this.lookingAt('\\E')) this.i += 2;
        return { ...this.single(js), single: [...js].length === 1 };
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

function merge(states: readonly Pending[]): Pending {
  return states.reduce((a, b) => (b.length > a.length ? b : a), []);
}

/** A separator: a required literal that no pending loop can match ends their overlap. */
function separate(pending: Pending, literal: string): Pending {
  return pending.every((probe) => probe !== null && !probe.test(literal)) ? [] : pending;
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
    const piece = translator.translate(flags);
    piece.analyse([]);
    new RegExp(piece.js, jsFlags);
    const plainFlags = caseInsensitive ? 'i' : '';
    if (translator.unicodeOnly) return { source: piece.js, flags: jsFlags };
    new RegExp(piece.js, plainFlags);
    return { source: piece.js, flags: jsFlags, plainFlags };
  } catch (error) {
    if (error instanceof Untranslatable || error instanceof SyntaxError) return undefined;
    throw error;
  }
}
