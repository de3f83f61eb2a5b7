/**
 * A rule branch's literal loop (`runBranch` in `eval-rules.ts`) compiled to JavaScript source:
 * one function per branch that calls each literal's quick form in turn, so that each call has
 * one target, which V8 inlines, where the shared loop calls every literal of the policy from
 * one site. It starts at any literal (a branch's rest for one element of a `some … in`), and
 * where a literal has no quick form or cannot take it now, hands the rest of the branch to
 * `rest` (the general path), as the loop does. Undefined where code generation is not allowed.
 */
import type { Value } from '../value/value.js';
import type { BodyPlan } from './body-plan.js';
import type { EvalContext } from './context.js';
import { step } from './context.js';
import type { Frame } from './eval-term.js';
import { NOT_QUICK, QUICK_FAILED } from './quick-outcome.js';
import { compileSource } from './quick-source.js';

/**
 * Runs a branch from literal `start`, producing its values with `onValue`; returns whether it
 * produced one. `branch` is passed through to `rest`.
 */
export type BranchRun<B> = (
  ctx: EvalContext,
  frame: Frame,
  branch: B,
  start: number,
  onValue: (v: Value) => void,
) => boolean;

/** The rest of a branch from literal `i` (its value when `i` is past the last literal). */
export type BranchRest<B> = BranchRun<B>;

export function branchSource<B>(body: BodyPlan, rest: BranchRest<B>): BranchRun<B> | undefined {
  const n = body.lits.length;
  const constants: unknown[] = [rest, step];
  const outcomes: string[] = [];
  const cases: string[] = [];
  for (let k = 0; k < n; k++) {
    const quick = body.quick[k];
    if (quick === undefined) {
      cases.push(
        `case ${k}: step(ctx); found = rest(ctx, frame, branch, ${k}, onValue); break done;`,
      );
      continue;
    }
    constants.push(quick);
    const o = `o${k}`;
    outcomes.push(o);
    cases.push(
      `case ${k}:`,
      'step(ctx);',
      `${o} = c${constants.length - 1}(ctx, frame);`,
      `if (${o} === ${QUICK_FAILED}) break done;`,
      `if (${o} === ${NOT_QUICK}) { found = rest(ctx, frame, branch, ${k}, onValue); break done; }`,
    );
  }
  cases.push(`case ${n}: found = rest(ctx, frame, branch, ${n}, onValue);`);
  const source = [
    'const rest = c[0];',
    'const step = c[1];',
    ...constants.slice(2).map((_, i) => `const c${i + 2} = c[${i + 2}];`),
    'return function run(ctx, frame, branch, start, onValue) {',
    ...outcomes.map((o) => `let ${o} = -1;`),
    'let found = false;',
    'done: switch (start) {',
    ...cases,
    '}',
    ...outcomes.map((o) => `if (${o} >= 0) frame[${o}] = undefined;`),
    'return found;',
    '};',
  ];
  return compileSource<BranchRun<B>>(constants, source.join('\n'));
}
