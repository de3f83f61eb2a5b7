/**
 * Proves that searching a subject for a translated pattern on V8's backtracking engine takes
 * time linear in the subject, and says how to search so that it does (a `SearchPlan`).
 *
 * `checkBacktracking` bounds one attempt (a match tried at one start) by the text it reads.
 * A search makes an attempt at every start, so it stays linear only if the attempts cannot
 * each read far: a pattern like `eyJ[A-Za-z0-9_-]{5,}\.eyJ…` on `-eyJ-eyJ…` reads to the end
 * of the run from every `eyJ` and is quadratic. The plans below are the shapes for which a
 * bound holds; a pattern with none runs on re2js (linear-time, slower).
 *
 * - `scan`: V8's own search. Every unbounded loop either ends the pattern (nothing after it
 *   can fail, so an attempt that reaches it succeeds) or cannot match a character that can
 *   start a match (so a failing attempt reads past at most a pattern-bounded number of
 *   possible starts, and each character is read by a bounded number of attempts).
 * - `run-to-literal`: `P C{m,} L R` with L outside C and P's characters inside C (`[a-z.]+@…`,
 *   `\beyJ[…]{5,}\.…`). The loop must end at the first L after the run, so all starts in
 *   one run meet the same L: `L R` is tried once at each L, then one start in its run.
 * - `class-run`: `A C* D` followed by nothing that can fail: a match starts at the first A
 *   of a chain of C characters that reaches a D, which one pass over the subject finds.
 * - `start-literals`: every match starts with one of a few literal strings, and only an
 *   attempt there can read far: with at most MAX_SLOW_STARTS occurrences in a subject, V8's
 *   search costs at most that many readings of it, about what re2js costs; with more, the
 *   subject goes to re2js. The only plan that depends on the subject.
 */
import { chars, infallible, nullable, some } from './re2-backtracking.js';
import { charsDisjoint, charsWithin } from './re2-char-relations.js';
import { type CharNode, type Node, stripGroups } from './re2-node.js';

/** Occurrences of a `start-literals` pattern's literals up to which V8 still searches. */
export const MAX_SLOW_STARTS = 16;

export type SearchPlan =
  | { readonly kind: 'scan' }
  | { readonly kind: 'run-to-literal'; readonly run: RunToLiteral }
  | { readonly kind: 'class-run'; readonly classes: ClassRun }
  | { readonly kind: 'start-literals'; readonly literals: readonly string[] };

export type SearchKind = SearchPlan['kind'];

/** The parts of a `P C{m,} L R` pattern, as JavaScript sources and probes. */
export interface RunToLiteral {
  /** P, the part before the loop (`''` when the loop starts the pattern). */
  readonly prefix: string;
  /** `L R`, tried anchored at each L. */
  readonly tail: string;
  /** L: one UTF-16 code unit outside C. */
  readonly literal: string;
  /** Tests one character for membership in C. */
  readonly member: RegExp;
  /** Fewest code units between a match's start and its L (P's and the loop's minimum). */
  readonly minBefore: number;
}

/** The classes of an `A C* D…` pattern. */
export interface ClassRun {
  readonly first: CharNode;
  readonly member: CharNode;
  readonly last: CharNode;
}

interface Context {
  readonly unicodeOnly: boolean;
  readonly caseInsensitive: boolean;
}

/** The plan under which V8 searches `root` in linear time, or undefined (re2js). */
export function searchPlan(root: Node, context: Context): SearchPlan | undefined {
  if (scanIsLinear(root, context.unicodeOnly)) return { kind: 'scan' };
  if (!context.caseInsensitive) {
    const run = runToLiteral(root, context.unicodeOnly);
    if (run !== undefined) return { kind: 'run-to-literal', run };
    const literals = startLiterals([root]);
    if (literals !== undefined) return { kind: 'start-literals', literals: [...new Set(literals)] };
  }
  const classes = classRun(root);
  if (classes !== undefined) return { kind: 'class-run', classes };
  return undefined;
}

function scanIsLinear(root: Node, unicodeOnly: boolean): boolean {
  return loopsBounded(root, true, firstChars(root), unicodeOnly);
}

/**
 * Whether every unbounded loop in `node` either ends the match (`follow`: nothing after it
 * can fail) or matches none of the `barrier` characters.
 */
function loopsBounded(
  node: Node,
  follow: boolean,
  barrier: readonly CharNode[],
  unicodeOnly: boolean,
): boolean {
  switch (node.type) {
    case 'char':
    case 'assert':
      return true;
    case 'seq':
      return node.items.every((item, i) =>
        loopsBounded(
          item,
          follow && node.items.slice(i + 1).every(infallible),
          barrier,
          unicodeOnly,
        ),
      );
    case 'alt':
      return node.branches.every((b) => loopsBounded(b, follow, barrier, unicodeOnly));
    case 'group':
      return loopsBounded(node.inner, follow, barrier, unicodeOnly);
    case 'repeat': {
      if (node.max === Infinity && !follow) {
        const inside = chars(node.base);
        const stops = inside.every((c) => barrier.every((b) => charsDisjoint(c, b, unicodeOnly)));
        if (!stops) return false;
      }
      // Past the first iteration more are optional, unless the minimum asks for them.
      const followBase = follow && (node.min <= 1 || infallible(node.base));
      return loopsBounded(node.base, followBase, barrier, unicodeOnly);
    }
  }
}

/** The single-character matchers a non-empty match can start with. */
function firstChars(node: Node): CharNode[] {
  switch (node.type) {
    case 'char':
      return [node];
    case 'assert':
      return [];
    case 'seq': {
      const out: CharNode[] = [];
      for (const item of node.items) {
        out.push(...firstChars(item));
        if (!nullable(item)) break;
      }
      return out;
    }
    case 'alt':
      return node.branches.flatMap(firstChars);
    case 'group':
      return firstChars(node.inner);
    case 'repeat':
      return firstChars(node.base);
  }
}

function items(node: Node): readonly Node[] {
  const n = stripGroups(node);
  return n.type === 'seq' ? n.items : [n];
}

function width(node: Node): { min: number; max: number } {
  switch (node.type) {
    case 'char':
      // A code point takes one or two UTF-16 units.
      return { min: 1, max: 2 };
    case 'assert':
      return { min: 0, max: 0 };
    case 'seq':
      return node.items.map(width).reduce((a, b) => ({ min: a.min + b.min, max: a.max + b.max }), {
        min: 0,
        max: 0,
      });
    case 'alt': {
      const ws = node.branches.map(width);
      return { min: Math.min(...ws.map((w) => w.min)), max: Math.max(...ws.map((w) => w.max)) };
    }
    case 'group':
      return width(node.inner);
    case 'repeat': {
      const w = width(node.base);
      return { min: w.min * node.min, max: w.max * node.max };
    }
  }
}

function runToLiteral(root: Node, unicodeOnly: boolean): RunToLiteral | undefined {
  const seq = items(root);
  const k = seq.findIndex((n) => some(n, (x) => x.type === 'repeat' && x.max === Infinity));
  const loop = seq[k] === undefined ? undefined : stripGroups(seq[k]);
  const after = seq[k + 1];
  if (loop?.type !== 'repeat' || loop.max !== Infinity || after?.type !== 'char') return undefined;
  const member = stripGroups(loop.base);
  if (member.type !== 'char' || after.literal === undefined || after.literal > 0xffff)
    return undefined;
  const prefix = seq.slice(0, k);
  const rest = seq.slice(k + 2);
  const fits =
    charsDisjoint(after, member, unicodeOnly) &&
    prefix.flatMap((n) => chars(n)).every((c) => charsWithin(c, member, unicodeOnly)) &&
    rest.every((n, i) =>
      loopsBounded(n, rest.slice(i + 1).every(infallible), [after], unicodeOnly),
    );
  if (!fits) return undefined;
  return {
    prefix: prefix.map((n) => n.js).join(''),
    tail: seq
      .slice(k + 1)
      .map((n) => n.js)
      .join(''),
    literal: String.fromCharCode(after.literal),
    member: member.probe,
    minBefore: prefix.reduce((sum, n) => sum + width(n).min, 0) + loop.min,
  };
}

function classRun(root: Node): ClassRun | undefined {
  const [first, second, third, ...rest] = items(root);
  const loop = second === undefined ? undefined : stripGroups(second);
  if (first?.type !== 'char' || third?.type !== 'char' || loop?.type !== 'repeat') return undefined;
  const member = stripGroups(loop.base);
  if (loop.min !== 0 || loop.max !== Infinity || member.type !== 'char') return undefined;
  if (!rest.every(infallible)) return undefined;
  return { first, member, last: third };
}

/**
 * Literal strings one of which every match starts with (after zero-width assertions), or
 * undefined. `sequence` is read left to right; alternatives and optional parts add theirs.
 */
function startLiterals(sequence: readonly Node[]): string[] | undefined {
  const [head, ...rest] = sequence;
  if (head === undefined) return undefined;
  switch (head.type) {
    case 'assert':
      return startLiterals(rest);
    case 'char': {
      if (head.literal === undefined) return undefined;
      let text = String.fromCodePoint(head.literal);
      for (const next of rest) {
        if (next.type !== 'char' || next.literal === undefined) break;
        text += String.fromCodePoint(next.literal);
      }
      return [text];
    }
    case 'seq':
      return startLiterals([...head.items, ...rest]);
    case 'group':
      return startLiterals([head.inner, ...rest]);
    case 'alt': {
      const out: string[] = [];
      for (const branch of head.branches) {
        const found = startLiterals([branch, ...rest]);
        if (found === undefined) return undefined;
        out.push(...found);
      }
      return out;
    }
    case 'repeat': {
      if (nullable(head.base)) return undefined;
      const once = startLiterals([head.base]);
      if (once === undefined) return undefined;
      if (head.min >= 1) return once;
      const skipped = startLiterals(rest);
      return skipped === undefined ? undefined : [...once, ...skipped];
    }
  }
}
