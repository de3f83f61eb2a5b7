/**
 * The checks that run on a compiled policy before it is used: OPA's type checker always (with
 * the schemas of `input` and `data` when given, and those of `# METADATA` blocks), and OPA's
 * strict-mode checks when asked.
 */
import type { AstModule } from '../ast/ast.js';
import type { RegoCompileError } from '../errors/rego-error.js';
import { annotatedDocuments } from './annotation-schemas.js';
import type { CompiledPolicy } from './compiler.js';
import { strictModeErrors } from './strict-checks.js';
import type { DocumentTypes } from './type-checker.js';
import { typeCheckPolicy } from './type-checker.js';

export interface PolicyCheckOptions {
  /** Types of `input` and of subtrees of `data`, usually read from JSON Schemas. */
  readonly documents?: DocumentTypes;
  /** OPA's compiler strict mode: unused imports and variables, deprecated builtins, … */
  readonly strict?: boolean;
}

/** Every error the checks find, sorted by location; empty when the policy passes. */
export function policyCheckErrors(
  modules: readonly AstModule[],
  policy: CompiledPolicy,
  options: PolicyCheckOptions,
): RegoCompileError[] {
  const sources = new Map(modules.map((m) => [m.file, m.source]));
  const documents = options.documents ?? {};
  const annotated = annotatedDocuments(modules, policy, documents);
  const errors: RegoCompileError[] = [
    ...(options.strict === true ? strictModeErrors(modules, policy) : []),
    ...annotated.errors,
    ...typeCheckPolicy(policy, sources, documents, annotated.byRule),
  ];
  return errors.sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
