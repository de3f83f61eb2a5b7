/**
 * A rule set's definitions compiled to JavaScript source (`evalComplete` and `evalSetRules` in
 * `eval-rules.ts` run it): one function that gives each definition a frame and runs its
 * branches' compiled functions (`branch-source.ts`) in order, so that each of those calls has
 * one target, which V8 inlines, where the shared loop calls every branch of the policy from
 * one site. Undefined where code generation is not allowed, or where a branch was not compiled.
 */
import type { Value } from '../value/value.js';
import type { BranchRun } from './branch-source.js';
import type { EvalContext } from './context.js';
import { compileSource } from './quick-source.js';

/**
 * Runs every definition, producing their values with `onValue`; with `firstDecides` (a
 * complete rule whose definitions all have the same constant value) it stops at the first
 * definition that produced one. `at.definition` is set to each definition's index before it
 * runs, so that `onValue` can name the definition that produced a conflicting value.
 */
export type RulesRun = (
  ctx: EvalContext,
  onValue: (v: Value) => void,
  at: { definition: number },
) => void;

/** What a definition is made of, as `eval-rules.ts` plans it. */
export interface DefinitionShape<B> {
  readonly frameSize: number;
  /** Its branches (more than one with `else`), each with its compiled function. */
  readonly branches: readonly (B & { readonly run: BranchRun<B> | undefined })[];
}

export function rulesSource<B>(
  definitions: readonly DefinitionShape<B>[],
  firstDecides: boolean,
): RulesRun | undefined {
  const constants: unknown[] = [];
  const constant = (x: unknown): string => {
    constants.push(x);
    return `c${constants.length - 1}`;
  };
  const lines: string[] = [];
  for (const [index, definition] of definitions.entries()) {
    const runs: string[] = [];
    for (const branch of definition.branches) {
      if (branch.run === undefined) return undefined;
      runs.push(`${constant(branch.run)}(ctx, frame, ${constant(branch)}, 0, onValue)`);
    }
    // A definition's branches share its frame; the first that produces a value decides (`else`).
    lines.push(`at.definition = ${index};`, `frame = new Array(${definition.frameSize});`);
    if (firstDecides) lines.push(`if (${runs.join(' || ')}) return;`);
    else lines.push(`${runs.join(' || ')};`);
  }
  const names = constants.map((_, i) => `const c${i} = c[${i}];`);
  const body = [
    ...names,
    'return function rules(ctx, onValue, at) {',
    'let frame;',
    ...lines,
    '};',
  ];
  return compileSource<RulesRun>(constants, body.join('\n'));
}
