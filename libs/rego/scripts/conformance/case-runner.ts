/**
 * Runs one conformance case through the engine's public API and compares the outcome with
 * the expectation, returning a one-line reason when they differ.
 */
import { formatTerm } from '../../src/builtins/index.js';
import {
  type EvalOptions,
  RegoEngine,
  type RegoEngineOptions,
  RegoError,
  RegoParseError,
} from '../../src/index.js';
import type { Value } from '../../src/value/index.js';
import { arr, compareValues, fromJs, toJs, valuesEqual } from '../../src/value/index.js';
import { bindingsValue } from './case-loader.js';
import type { ConformanceCase } from './conformance-case.js';
import { type Expected, UNDEFINED } from './yaml-values.js';

export type CaseStatus = 'passed' | 'failed' | 'skipped';

export interface CaseOutcome {
  readonly status: CaseStatus;
  /** Why the case failed or was skipped. */
  readonly reason?: string;
}

/** The outcome of a case's query for one of its inputs. */
export interface QueryRun {
  readonly results: ReadonlyArray<{
    readonly bindings: Readonly<Record<string, Value>>;
    readonly expressions: ReadonlyArray<{ readonly value: Value }>;
  }>;
  readonly prints: readonly string[];
}

/** Budgets keep a broken case from stalling the whole run. */
const MAX_STEPS = 2_000_000;
const TIMEOUT_MS = 5_000;
const REASON_LIMIT = Number(process.env.REASON_LIMIT ?? 300);

function shorten(text: string): string {
  const oneLine = text.replace(/\s*\n\s*/g, ' ⏎ ');
  return oneLine.length > REASON_LIMIT ? `${oneLine.slice(0, REASON_LIMIT)}…` : oneLine;
}

function show(value: Expected | undefined): string {
  if (value === undefined) return '(nothing)';
  if (value === UNDEFINED) return '#undefined';
  return formatTerm(value);
}

function showList(values: readonly (Expected | undefined)[]): string {
  return `[${values.map(show).join(', ')}]`;
}

function createEngine(
  c: ConformanceCase,
  version: 'v0' | 'v1',
  options: RegoEngineOptions,
): RegoEngine {
  const engine = new RegoEngine({
    ...options,
    regoVersion: version,
    strictBuiltinErrors: c.strict,
    maxSteps: MAX_STEPS,
    timeoutMs: TIMEOUT_MS,
    // OPA's net.lookup_ip_addr cases resolve localhost; no case may reach another host.
    network: { allowedHosts: ['localhost'] },
  });
  engine.addModules(c.modules.map((source, i) => ({ fileName: `rego_${i}`, source })));
  if (c.data !== undefined) engine.setDataValue(c.data);
  return engine;
}

/**
 * Regorus files are v0 except a few written in v1 without saying so (the corpus README names
 * them); a module that does not parse as v0 is therefore retried as v1 before failing.
 */
function engineFor(c: ConformanceCase, options: RegoEngineOptions): RegoEngine {
  if (c.dialect === 'opa') return createEngine(c, 'v1', options);
  try {
    return createEngine(c, 'v0', options);
  } catch (error) {
    if (!(error instanceof RegoParseError)) throw error;
    try {
      return createEngine(c, 'v1', options);
    } catch {
      throw error;
    }
  }
}

function inputTermValue(term: string): Value {
  const out = new RegoEngine().evalQueryValues(`__input_term__ := ${term}`);
  const value = out.results[0]?.bindings.__input_term__;
  if (value === undefined) throw new Error(`input_term ${term} is undefined`);
  return value;
}

/**
 * Runs the case's query once per input, as the case says (syntax, strictness, data), with
 * further engine and query options; throws what the engine throws.
 */
export function runQueries(
  c: ConformanceCase,
  options: RegoEngineOptions = {},
  queryOptions: Pick<EvalOptions, 'nowNs'> = {},
): QueryRun[] {
  const engine = engineFor(c, options);
  const inputs = c.inputTerm === undefined ? c.inputs : [inputTermValue(c.inputTerm)];
  return inputs.map((inputValue) =>
    engine.evalQueryValues(c.query, { ...queryOptions, inputValue, strict: c.strict }),
  );
}

/** What the Regorus runner compares: bindings when the query bound variables, else expression values. */
function regorusEntries(run: QueryRun): Value[] {
  return run.results.map((r) => {
    if (Object.keys(r.bindings).length > 0) return bindingsValue(r.bindings);
    if (r.expressions.length === 1) return (r.expressions[0] as { value: Value }).value;
    return arr(r.expressions.map((e) => e.value));
  });
}

/** `sort_bindings`: array values inside a bindings object are compared as sorted. */
function sortBindingArrays(value: Value): Value {
  if (value.kind !== 'object') return value;
  const entries = new Map(value.entries);
  for (const [key, [k, v]] of entries) {
    if (v.kind === 'array') entries.set(key, [k, arr([...v.items].sort(compareValues))]);
  }
  return { kind: 'object', entries };
}

/** OPA's runner compares JSON: sets become sorted arrays, non-string keys their JSON text. */
function asJson(value: Value): Value {
  return fromJs(toJs(value));
}

function sameList(computed: readonly Value[], expected: readonly Expected[]): boolean {
  return (
    computed.length === expected.length &&
    computed.every((v, i) => {
      const e = expected[i];
      return e !== undefined && e !== UNDEFINED && valuesEqual(v, e);
    })
  );
}

function compareOutcome(c: ConformanceCase, runs: readonly QueryRun[]): CaseOutcome {
  const prints = runs.flatMap((r) => r.prints);
  if (c.wantPrints !== undefined && JSON.stringify(prints) !== JSON.stringify(c.wantPrints)) {
    return {
      status: 'failed',
      reason: shorten(`prints ${JSON.stringify(prints)}, want ${JSON.stringify(c.wantPrints)}`),
    };
  }
  const expectation = c.expectation;
  switch (expectation.kind) {
    case 'error':
      return {
        status: 'failed',
        reason: shorten(
          `no error, want error ${JSON.stringify(expectation.message ?? expectation.code ?? '')}`,
        ),
      };
    case 'no_result': {
      const count = runs.reduce((n, r) => n + r.results.length, 0);
      return count === 0
        ? { status: 'passed' }
        : {
            status: 'failed',
            reason: shorten(
              `${count} result(s) ${showList(runs.flatMap(regorusEntries))}, want none`,
            ),
          };
    }
    case 'values': {
      let computed = runs.flatMap(regorusEntries);
      let expected: readonly Expected[] = expectation.values;
      if (c.sortBindings) {
        computed = computed.map(sortBindingArrays);
        expected = expected.map((e) => (e === UNDEFINED ? e : sortBindingArrays(e)));
      }
      if (sameList(computed, expected)) return { status: 'passed' };
      return {
        status: 'failed',
        reason: shorten(`got ${showList(computed)}, want ${showList(expected)}`),
      };
    }
    case 'bindings': {
      const normalise = (v: Value) => (c.sortBindings ? sortBindingArrays(asJson(v)) : asJson(v));
      const computed = runs.flatMap((r) =>
        r.results.map((res) => normalise(bindingsValue(res.bindings))),
      );
      const expected = expectation.bindings.map(normalise);
      if (sameList(computed, expected)) return { status: 'passed' };
      // Result order is not part of OPA's contract: accept the same results in another order.
      if (sameList([...computed].sort(compareValues), [...expected].sort(compareValues)))
        return { status: 'passed' };
      return {
        status: 'failed',
        reason: shorten(`got ${showList(computed)}, want ${showList(expected)}`),
      };
    }
  }
}

function errorOutcome(c: ConformanceCase, error: unknown): CaseOutcome {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof RegoError)) {
    return {
      status: 'failed',
      reason: shorten(
        `engine crashed: ${error instanceof Error ? `${error.name}: ` : ''}${message}`,
      ),
    };
  }
  const expectation = c.expectation;
  if (expectation.kind !== 'error')
    return { status: 'failed', reason: shorten(`unexpected error: ${message}`) };
  if (expectation.code !== undefined && error.code !== expectation.code) {
    return {
      status: 'failed',
      reason: shorten(`error code ${error.code}, want ${expectation.code}: ${message}`),
    };
  }
  return { status: 'passed' };
}

/** Runs a case; never throws. */
export function runCase(c: ConformanceCase): CaseOutcome {
  if (c.skip !== undefined) return { status: 'skipped', reason: c.skip };
  let runs: QueryRun[];
  try {
    runs = runQueries(c);
  } catch (error) {
    return errorOutcome(c, error);
  }
  return compareOutcome(c, runs);
}
