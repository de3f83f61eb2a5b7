/**
 * The parsed form of an RE2 pattern that `re2-translate.ts` builds and `re2-backtracking.ts`
 * checks: each node carries its JavaScript source.
 */

/** Thrown when a pattern is not translated; the caller falls back to re2js. */
export class Untranslatable extends Error {}

export function give(): never {
  throw new Untranslatable();
}

export type CharNode = {
  readonly type: 'char';
  readonly js: string;
  /** Tests one character against the node, with the pattern's flags. */
  readonly probe: RegExp;
  /** The code point, when the node is one literal character. */
  readonly literal?: number;
};

export type Node =
  | CharNode
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

/** Loops with more iterations than this count as unbounded. */
export const LARGE_REPEAT = 32;

export function stripGroups(node: Node): Node {
  return node.type === 'group' ? stripGroups(node.inner) : node;
}
