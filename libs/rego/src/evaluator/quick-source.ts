/**
 * The quick path's terms compiled to JavaScript source, one function per term, instead of a
 * tree of shared closures. V8 keeps type feedback per function: every closure that
 * `compileQuick` makes for, say, a one-argument builtin call shares one call site for the
 * builtin, which many builtins reach, so V8 calls through it generically and inlines nothing.
 * A function of its own per term gives each call site one target, which V8 inlines.
 *
 * Only the shape of a term becomes source: slot numbers, rule set ids and the names of the
 * helpers below. Every value of the policy (constants, keys, builtins, rule sets, terms) is
 * passed in as an element of an array the function closes over, never written into the
 * source, so no policy text is ever parsed as JavaScript.
 *
 * The semantics are `compileQuick`'s (eval-quick.ts), the two kept side by side: a term is
 * undefined as soon as any of its parts is. Where code generation is unavailable (Node run
 * with `--disallow-code-generation-from-strings`), the closures are used.
 */

import { compareOperands } from '../builtins/comparison.js';
import type { CallTerm, Term } from '../compiler/ir.js';
import type { Value } from '../value/value.js';
import { arr, num, set } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { EvalContext } from './context.js';
import { IN_PROGRESS, step, UNDEFINED } from './context.js';
import { builtinFailed, callDirect } from './eval-call.js';
import { comprehensionValue } from './eval-comprehension.js';
import { dataValue } from './eval-data.js';
import { callFunction, evalRuleSet } from './eval-rules.js';
import type { Frame } from './eval-term.js';
import { equal, lookup, lookupConst, sortedEntries, sortedMembers } from './value-access.js';

type QuickFn = (ctx: EvalContext, frame: Frame) => Value | undefined;
/** Compiles a term the generator leaves to the closures (a data ref outside the rule tree). */
export type QuickFallback = (t: Term) => QuickFn;

/** What generated code may call, by the names it uses. */
const HELPERS = {
  arr,
  compareOperands,
  equal,
  set,
  keyOf,
  IN_PROGRESS,
  UNDEFINED,
  builtinFailed,
  callDirect,
  comprehensionValue,
  dataValue,
  callFunction,
  evalRuleSet,
  lookup,
  lookupConst,
  num,
  sortedEntries,
  sortedMembers,
  step,
};
const HELPER_NAMES = Object.keys(HELPERS);
const HELPER_VALUES = Object.values(HELPERS);

let available = true;

/**
 * Compiles `body`, the source of a function that returns the generated function, given the
 * constants `c` and the helpers by name. Undefined when code generation is not allowed.
 */
export function compileSource<F>(constants: readonly unknown[], body: string): F | undefined {
  if (!available) return undefined;
  try {
    const make = new Function('c', ...HELPER_NAMES, body) as (
      c: readonly unknown[],
      ...helpers: unknown[]
    ) => F;
    return make(constants, ...HELPER_VALUES);
  } catch (error) {
    if (error instanceof EvalError) {
      available = false;
      return undefined;
    }
    throw error;
  }
}

/**
 * The term compiled to a function of its own, or undefined when code generation is not
 * allowed in this process. `fallback` compiles a subterm this generator leaves to the
 * closures (a data ref outside the rule tree).
 */
export function generateQuick(t: Term, fallback: QuickFallback): QuickFn | undefined {
  if (!available) return undefined;
  const gen = new SourceGenerator(fallback, 'return undefined;');
  const result = gen.term(t);
  return gen.compile<QuickFn>([`return ${result};`]);
}

/**
 * Emits the statements of one generated function (`ctx` and `frame` are its parameters) and
 * compiles them. A term's statements run `fail` (a return) as soon as a part is undefined.
 */
export class SourceGenerator {
  readonly lines: string[] = [];
  readonly constants: unknown[] = [];
  private temps = 0;

  constructor(
    private readonly fallback: QuickFallback,
    private readonly fail: string,
  ) {}

  /**
   * Compiles the function: the emitted statements, then `tail`. Undefined when code
   * generation is not allowed in this process.
   */
  compile<F>(tail: readonly string[], header = 'function quick(ctx, frame)'): F | undefined {
    const body = [
      ...this.constants.map((_, i) => `const c${i} = c[${i}];`),
      `return ${header} {`,
      ...this.lines,
      ...tail,
      '};',
    ];
    return compileSource<F>(this.constants, body.join('\n'));
  }

  /** A constant of the policy, by reference. */
  constant(x: unknown): string {
    this.constants.push(x);
    return `c${this.constants.length - 1}`;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  /** Emits `if (any slot is unbound) <statement>`. */
  unbound(slots: readonly number[], statement: string): void {
    if (slots.length > 0)
      this.lines.push(
        `if (${slots.map((s) => `frame[${s}] === undefined`).join(' || ')}) ${statement}`,
      );
  }

  /** Emits `name = expr`, declared, and `fail` when it is undefined. */
  private bind(expr: string): string {
    const name = this.temp();
    this.lines.push(`const ${name} = ${expr};`, `if (${name} === undefined) ${this.fail}`);
    return name;
  }

  /**
   * Emits the statements computing `t` and returns an expression for its value, which is
   * defined when control gets past them (an undefined part returns from the function).
   */
  term(t: Term): string {
    switch (t.k) {
      case 'val':
        return this.constant(t.v);
      case 'var':
        return this.bind(`frame[${t.slot}]`);
      case 'input': {
        const base = this.bind('ctx.input');
        return this.path(base, t.path);
      }
      case 'data': {
        const rule = t.rule;
        if (rule === undefined) return this.bind(`${this.constant(this.fallback(t))}(ctx, frame)`);
        const rs = rule.node.ruleSet!;
        const name = this.temp();
        const cached = this.temp();
        this.lines.push(
          `let ${name};`,
          `if (ctx.overrides !== undefined) ${name} = dataValue(ctx, frame, ${this.constant(t)});`,
          'else {',
          `const ${cached} = ctx.ruleCache[${rs.id}];`,
          `${name} = ${cached} === undefined || ${cached} === IN_PROGRESS ? evalRuleSet(ctx, ${this.constant(rs)}) : ${cached} === UNDEFINED ? undefined : ${cached};`,
          `if (${name} === undefined) ${this.fail}`,
        );
        const rest = this.path(name, t.path.slice(rule.next));
        this.lines.push(`${name} = ${rest};`, '}', `if (${name} === undefined) ${this.fail}`);
        return name;
      }
      case 'ref':
        return this.path(this.term(t.head), t.path);
      case 'arr':
      case 'set': {
        const items = t.items.map((item) => this.term(item));
        return this.bind(`${t.k}([${items.join(', ')}])`);
      }
      case 'obj': {
        const entries = this.temp();
        this.lines.push(`const ${entries} = new Map();`);
        for (const [k, v] of t.entries) {
          const key = this.term(k);
          const value = this.term(v);
          const canonical = k.k === 'val' ? this.constant(keyOf(k.v)) : `keyOf(${key})`;
          this.lines.push(`${entries}.set(${canonical}, [${key}, ${value}]);`);
        }
        return this.bind(`{ kind: 'object', entries: ${entries} }`);
      }
      case 'call':
        return this.call(t);
      case 'acompr':
      case 'scompr':
      case 'ocompr':
        return this.bind(`comprehensionValue(ctx, frame, ${this.constant(t)})`);
    }
  }

  /** A ref's path from `base`: each segment a lookup, undefined as soon as one is. */
  private path(base: string, path: readonly Term[]): string {
    let at = base;
    for (const seg of path) {
      if (seg.k === 'val') at = this.bind(`lookupConst(${at}, ${this.constant(seg)})`);
      else at = this.bind(`lookup(${at}, ${this.term(seg)})`);
    }
    return at;
  }

  private call(t: CallTerm): string {
    const args = `[${t.args.map((a) => this.term(a)).join(', ')}]`;
    const call = this.constant(t);
    const fn = t.fn;
    switch (fn.kind) {
      case 'builtin': {
        const name = this.temp();
        const error = this.temp();
        this.lines.push(
          `let ${name};`,
          `if (ctx.mocks !== undefined) ${name} = callDirect(ctx, ${call}, ${args});`,
          `else try { ${name} = ${this.constant(fn.def.implementation)}(${args}, ctx.shared.builtinContext); }`,
          `catch (${error}) { ${name} = builtinFailed(ctx, ${this.constant(fn.def)}, ${call}, ${error}); }`,
          `if (${name} === undefined) ${this.fail}`,
        );
        return name;
      }
      case 'user':
        return this.bind(
          `ctx.mocks !== undefined ? callDirect(ctx, ${call}, ${args}) : callFunction(ctx, ${this.constant(fn.ruleSet)}, ${args})`,
        );
      case 'native':
        return this.bind(`callDirect(ctx, ${call}, ${args})`);
    }
  }
}
