/**
 * Compiles modules for checking only (`opa check`): every error, not just the first, so that a
 * tool can list them all. Parse and structural compile errors stop at the first, as the
 * compiler does; type and strict-mode errors are all reported.
 */
import type { AstModule } from '../ast/ast.js';
import type { BuiltinDefinition } from '../builtins/builtin.js';
import { RegoError } from '../errors/rego-error.js';
import { compileModules } from './compiler.js';
import type { PolicyCheckOptions } from './policy-checks.js';
import { policyCheckErrors } from './policy-checks.js';

export function checkModules(
  modules: readonly AstModule[],
  builtins: ReadonlyMap<string, BuiltinDefinition>,
  options: PolicyCheckOptions,
): RegoError[] {
  let policy: ReturnType<typeof compileModules>;
  try {
    policy = compileModules(modules, builtins);
  } catch (error) {
    if (error instanceof RegoError) return [error];
    throw error;
  }
  return policyCheckErrors(modules, policy, options);
}
