/**
 * Decides whether a translated pattern is safe for a backtracking engine: exponential
 * backtracking needs a loop whose iterations can split the input several ways, polynomial
 * blow-up needs several unbounded loops able to trade characters before something that can
 * fail. Patterns showing either are left to re2js (`give()`).
 */
import { charsDisjoint } from './re2-char-relations.js';
import { type CharNode, give, LARGE_REPEAT, type Node, stripGroups } from './re2-node.js';

/** Unbounded single-character loops that may still be backtracked into. */
interface Pending {
  /** How many such loops can be in flight on one path (the polynomial degree). */
  readonly degree: number;
  /** Their characters (one matcher per loop), over all paths. */
  readonly loops: readonly CharNode[];
}

const NONE: Pending = { degree: 0, loops: [] };
const MAX_DEGREE = 1;

export function chars(node: Node, out: CharNode[] = []): CharNode[] {
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

export function some(node: Node, test: (n: Node) => boolean): boolean {
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

export function nullable(node: Node): boolean {
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
export function infallible(node: Node): boolean {
  return nullable(node) && !some(node, (n) => n.type === 'assert');
}

/** A single character, or a loop of one with at least one iteration. */
function delimiter(node: Node): CharNode | undefined {
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
function checkLoopBody(body: Node, unicodeOnly: boolean): void {
  if (some(body, (n) => n.type === 'group' && n.capture)) give();
  const inner = stripGroups(body);
  if (!some(inner, (n) => n.type === 'repeat' || n.type === 'alt' || n.type === 'assert')) return;
  const items = inner.type === 'seq' ? inner.items : [inner];
  for (const end of [items[0], items[items.length - 1]]) {
    const d = end === undefined ? undefined : delimiter(end);
    if (d === undefined) continue;
    const others = items.filter((n) => n !== end).flatMap((n) => chars(n));
    if (others.every((o) => charsDisjoint(d, o, unicodeOnly))) return;
  }
  give();
}

function merge(a: Pending, b: Pending): Pending {
  return { degree: Math.max(a.degree, b.degree), loops: [...new Set([...a.loops, ...b.loops])] };
}

/**
 * Loops still in flight after `node`, given those before it; gives up past the allowed
 * degree. `unicodeOnly`: the pattern has Unicode tables or astral characters, so classes are
 * assumed to overlap unless one is a literal (see `charsDisjoint`).
 */
function analyse(node: Node, pending: Pending, unicodeOnly: boolean): Pending {
  switch (node.type) {
    case 'char':
      // A required character no pending loop can match ends their backtracking.
      return pending.degree > 0 && pending.loops.every((p) => charsDisjoint(node, p, unicodeOnly))
        ? NONE
        : pending;
    case 'assert':
      return pending;
    case 'seq':
      return node.items.reduce((acc, n) => analyse(n, acc, unicodeOnly), pending);
    case 'alt':
      return node.branches.map((b) => analyse(b, pending, unicodeOnly)).reduce(merge);
    case 'group':
      return analyse(node.inner, pending, unicodeOnly);
    case 'repeat': {
      const base = stripGroups(node.base);
      const unbounded = node.max === Infinity || node.max > LARGE_REPEAT;
      if (node.max > 1 && base.type !== 'char') checkLoopBody(node.base, unicodeOnly);
      const once = analyse(node.base, pending, unicodeOnly);
      let after = node.min === 0 ? merge(pending, once) : once;
      if (unbounded && base.type === 'char') {
        after = { degree: after.degree + 1, loops: [...new Set([...after.loops, base])] };
      } else if (unbounded) {
        after = merge(after, analyse(node.base, once, unicodeOnly));
      }
      if (after.degree > MAX_DEGREE) give();
      return after;
    }
  }
}

/** Checks a whole pattern; what follows an infallible tail is never backtracked into. */
export function checkBacktracking(root: Node, unicodeOnly: boolean): void {
  const branches = root.type === 'alt' ? root.branches : [root];
  for (const branch of branches) {
    const items = branch.type === 'seq' ? branch.items : [branch];
    let end = items.length;
    while (end > 0 && infallible(items[end - 1] as Node)) end--;
    let pending = NONE;
    for (const item of items.slice(0, end)) pending = analyse(item, pending, unicodeOnly);
    // The tail still gets its loop-body checks.
    for (const item of items.slice(end)) analyse(item, NONE, unicodeOnly);
  }
}
