/**
 * A rule branch compiled to JavaScript source (`runBranch` in `eval-rules.ts` runs it): one
 * function per branch that calls each literal's quick form in turn, iterates its `some … in`
 * literals over their collections, and computes its value inline. Each call site in it then has
 * one target (the literal, the branch itself for the rest of an element, the rule's `onValue`),
 * which V8 inlines, where the shared loop calls every literal of the policy from one site.
 *
 * It starts at any literal, and goes the way the loop goes: where a literal has no quick form
 * or cannot take it now, the rest of the branch takes the general path (`runRest`), and a value
 * whose variables are not all bound is produced by `branchValue`. Undefined where code
 * generation is not allowed.
 */
import type { Term } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import type { BodyPlan, SomeIn } from './body-plan.js';
import type { EvalContext } from './context.js';
import type { QuickPlan } from './eval-quick.js';
import type { Frame } from './eval-term.js';
import { NOT_QUICK, QUICK_FAILED } from './quick-outcome.js';
import { type QuickFallback, SourceGenerator } from './quick-source.js';

/**
 * Runs a branch from literal `start`, producing its values with `onValue`; returns whether it
 * produced one. `branch` is passed through to the general path's functions.
 */
export type BranchRun<B> = (
  ctx: EvalContext,
  frame: Frame,
  branch: B,
  start: number,
  onValue: (v: Value) => void,
) => boolean;

/** What a compiled branch hands over to: the general path from a literal, and its value. */
export interface BranchFallbacks<B> {
  readonly runRest: BranchRun<B>;
  readonly branchValue: (
    ctx: EvalContext,
    frame: Frame,
    branch: B,
    onValue: (v: Value) => void,
  ) => boolean;
  readonly quickFn: QuickFallback;
}

/** The parts of a branch its source is made from. */
export interface BranchShape {
  readonly body: BodyPlan;
  readonly value: Term;
  readonly quickValue: QuickPlan | null;
  /** Its value is constant: the first solution decides, later ones are not looked for. */
  readonly constant: boolean;
}

export function branchSource<B>(
  shape: BranchShape,
  fallbacks: BranchFallbacks<B>,
): BranchRun<B> | undefined {
  const { body } = shape;
  const n = body.lits.length;
  const gen = new SourceGenerator(fallbacks.quickFn, 'break done;');
  const runRest = gen.constant(fallbacks.runRest);
  const lines = gen.lines;
  const outcomes: string[] = [];
  const rest = (k: number): string =>
    `{ found = ${runRest}(ctx, frame, branch, ${k}, onValue); break done; }`;
  lines.push('let found = false;', 'done: switch (start) {');
  for (let k = 0; k < n; k++) {
    const quick = body.quick[k];
    const some = body.some[k];
    lines.push(`case ${k}: {`, 'step(ctx);');
    if (quick !== undefined) {
      const o = `o${k}`;
      outcomes.push(o);
      lines.push(
        `${o} = ${gen.constant(quick)}(ctx, frame);`,
        `if (${o} === ${QUICK_FAILED}) break done;`,
        `if (${o} === ${NOT_QUICK}) ${rest(k)}`,
        '}',
      );
    } else if (some !== undefined) {
      iteration(gen, some, k, shape.constant, rest(k));
      lines.push('break done;', '}');
    } else lines.push(`${rest(k)}`, '}');
  }
  lines.push(`case ${n}: {`);
  const value = shape.quickValue;
  const general = `{ found = ${gen.constant(fallbacks.branchValue)}(ctx, frame, branch, onValue); break done; }`;
  if (value === null) lines.push(general);
  else {
    gen.unbound(value.slots, general);
    const v = gen.term(shape.value);
    lines.push(`onValue(${v});`, 'found = true;');
  }
  lines.push('}', '}');
  lines.unshift(...outcomes.map((o) => `let ${o} = -1;`));
  return gen.compile<BranchRun<B>>(
    [...outcomes.map((o) => `if (${o} >= 0) frame[${o}] = undefined;`), 'return found;'],
    'function run(ctx, frame, branch, start, onValue)',
  );
}

/**
 * `some k, v in coll` at literal `k` with fresh variables: for each element, binds them and
 * runs the branch from the next literal (the function itself, `run`), in OPA's order.
 */
function iteration(
  gen: SourceGenerator,
  some: SomeIn,
  k: number,
  constant: boolean,
  rest: string,
): void {
  const { valueSlot, keySlot } = some;
  const fresh = [valueSlot, ...(keySlot >= 0 ? [keySlot] : [])];
  const bound = [
    ...fresh.map((s) => `frame[${s}] !== undefined`),
    ...some.coll.slots.map((s) => `frame[${s}] === undefined`),
  ];
  const coll = gen.temp();
  // One loop per kind of collection: its elements in OPA's order, each bound and the rest run.
  const loop = (kind: string, elements: string, key: string, value: string): string[] => [
    `case '${kind}': {`,
    `const elements = ${elements};`,
    'for (let j = 0; j < elements.length; j++) {',
    'step(ctx);',
    ...(keySlot >= 0 ? [`frame[${keySlot}] = ${key};`] : []),
    `frame[${valueSlot}] = ${value};`,
    `const produced = run(ctx, frame, branch, ${k + 1}, onValue);`,
    ...fresh.map((s) => `frame[${s}] = undefined;`),
    `if (produced) { found = true;${constant ? ' break;' : ''} }`,
    '}',
    'break;',
    '}',
  ];
  gen.lines.push(`if (${bound.join(' || ')}) ${rest}`);
  // The collection's statements inline: an undefined part leaves no element (`break done`).
  const value = gen.term(some.coll.term);
  gen.lines.push(
    `const ${coll} = ${value};`,
    `switch (${coll}.kind) {`,
    ...loop('array', `${coll}.items`, 'num(j)', 'elements[j]'),
    ...loop(
      'object',
      `${coll}.entries.size < 2 ? [...${coll}.entries.values()] : sortedEntries(${coll})`,
      'elements[j][0]',
      'elements[j][1]',
    ),
    ...loop(
      'set',
      `${coll}.items.size < 2 ? [...${coll}.items.values()] : sortedMembers(${coll})`,
      'elements[j]',
      'elements[j]',
    ),
    '}',
  );
}
