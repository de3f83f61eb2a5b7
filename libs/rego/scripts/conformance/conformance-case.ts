/**
 * One conformance case after validation, whichever dialect it came from: the Regorus
 * format (v0 by default, expected values with `set!`/`object!`/`many!`) or OPA's own v1
 * format (`want_result` as a list of bindings, `want_error`, `input_term`, …).
 */
import type { Value } from '../../src/value/index.js';
import type { Expected } from './yaml-values.js';

export type CaseDialect = 'regorus' | 'opa';

export type CaseExpectation =
  /** Regorus: one entry per result (bindings object, an expression value or an array of them). */
  | { readonly kind: 'values'; readonly values: readonly Expected[] }
  /** OPA: the list of bindings objects, as JSON. */
  | { readonly kind: 'bindings'; readonly bindings: readonly Value[] }
  | { readonly kind: 'no_result' }
  | { readonly kind: 'error'; readonly message?: string; readonly code?: string };

export interface ConformanceCase {
  /** The case file, as given on the command line joined with its path below the folder. */
  readonly file: string;
  readonly note: string;
  readonly dialect: CaseDialect;
  readonly modules: readonly string[];
  readonly data?: Value;
  /** Inputs to run the query with, one run each; `[undefined]` when there is no input. */
  readonly inputs: readonly (Value | undefined)[];
  /** A Rego term to evaluate as the input (OPA's `input_term`). */
  readonly inputTerm?: string;
  readonly query: string;
  readonly expectation: CaseExpectation;
  readonly strict: boolean;
  readonly sortBindings: boolean;
  readonly wantPrints?: readonly string[];
  /** Why the case is not run (`skip: true` in the file). */
  readonly skip?: string;
}
