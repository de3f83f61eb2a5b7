/** `semver.is_valid` and `semver.compare` (SemVer 2.0.0 precedence), using the semver package in strict mode. */
import semver from 'semver';
import type { Value } from '../value/value.js';
import { bool, num } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { operandValueError, stringArg } from './operands.js';

/** Strict SemVer: no `v` or `=` prefix, which the package would otherwise tolerate. */
function isValid(version: string): boolean {
  return /^\d/.test(version) && semver.valid(version) === version.replace(/\+.*$/, '');
}

export const SEMVER_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'semver.is_valid',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      return bool(value.kind === 'string' && isValid(value.value));
    },
  },
  {
    name: 'semver.compare',
    arity: 2,
    implementation: (args) => {
      const a = stringArg('semver.compare', args, 0);
      const b = stringArg('semver.compare', args, 1);
      if (!isValid(a))
        throw operandValueError(
          'semver.compare',
          1,
          `string ${JSON.stringify(a)} is not a valid SemVer`,
        );
      if (!isValid(b))
        throw operandValueError(
          'semver.compare',
          2,
          `string ${JSON.stringify(b)} is not a valid SemVer`,
        );
      return num(semver.compare(a, b));
    },
  },
];
