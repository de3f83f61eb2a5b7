/** Shared helpers for the evaluator tests: compile modules, evaluate, return JSON-shaped values. */
import { RegoEngine } from '../src/index.js';

export interface Case {
  readonly modules: readonly string[];
  readonly data?: unknown;
  readonly regoVersion?: 'v0' | 'v1';
  readonly strict?: boolean;
}

export function engineFor(c: Case): RegoEngine {
  const engine = new RegoEngine({
    regoVersion: c.regoVersion ?? 'v1',
    strictBuiltinErrors: c.strict ?? false,
  });
  engine.addModules(c.modules.map((source, i) => ({ fileName: `m${i}.rego`, source })));
  if (c.data !== undefined) engine.setData(c.data);
  return engine;
}

/** The value of a ref in a v1 package `t` (modules given without their package line). */
export function evalIn(body: string, ref: string, input?: unknown, data?: unknown): unknown {
  return engineFor({ modules: [`package t\n${body}`], data }).evalRule(`data.t.${ref}`, { input });
}

/** Every binding set of a query. */
export function bindings(body: string, query: string, input?: unknown): Record<string, unknown>[] {
  return engineFor({ modules: [`package t\n${body}`] })
    .evalQuery(query, { input })
    .results.map((r) => r.bindings);
}
