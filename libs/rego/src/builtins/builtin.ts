/**
 * The contract between the evaluator and builtin functions. Each category file
 * (`strings.ts`, `regex.ts`, …) exports a list of `BuiltinDefinition`s; `index.ts`
 * gathers them into the registry the compiler checks calls against.
 */
import type { Value } from '../value/value.js';
import type { NetworkAccess } from './network/network-access.js';

/** What a builtin may know about the query it runs in. One context per query. */
export interface BuiltinContext {
  /** Strict mode: builtin errors end the query instead of making the call undefined. */
  readonly strict: boolean;
  /** The query's clock, nanoseconds since the Unix epoch: `time.now_ns` is stable within a query. */
  readonly nowNs: bigint;
  /** Output of `print`, one line per call. */
  print(line: string): void;
  /** Per-engine cache for compiled artefacts (regular expressions, globs, parsed templates). */
  readonly cache: Map<string, unknown>;
  /** Per-query cache, for builtins that answer alike within one query (`http.send`). */
  readonly queryCache?: Map<string, unknown>;
  /** Hosts `http.send` and `net.lookup_ip_addr` may reach; none when absent. */
  readonly network?: NetworkAccess;
  /** What `opa.runtime()` returns, as the embedding program describes itself. */
  readonly runtime?: Value;
}

/**
 * A builtin's implementation. Returns the result, or `undefined` when the call is
 * undefined (for example `regex.find_n` on bad input is an error, but `object.get` never is).
 * Throws `BuiltinError` for errors OPA reports (wrong operand type, bad format, …):
 * the evaluator turns them into undefined in non-strict mode.
 */
export type BuiltinImplementation = (
  args: readonly Value[],
  context: BuiltinContext,
) => Value | undefined;

export interface BuiltinDefinition {
  /** The dotted name as written in Rego, e.g. `regex.match`, `plus`, `time.now_ns`. */
  readonly name: string;
  /** Number of operands. Calls with another number are compile errors. */
  readonly arity: number;
  readonly implementation: BuiltinImplementation;
  /** True for builtins whose result may differ between calls with equal operands. */
  readonly nondeterministic?: boolean;
  /** Deprecated in OPA: callable from Rego v0 modules only; v1 reports an unknown function. */
  readonly deprecated?: boolean;
}

/** An error a builtin raises, worded as OPA words it: `<name>: operand 1 must be string but got number`. */
export class BuiltinError extends Error {
  override readonly name = 'BuiltinError';
}

/** An operand of the wrong type: OPA reports these with the code `eval_type_error`, other builtin errors with `eval_builtin_error`. */
export class BuiltinTypeError extends BuiltinError {}
