/** `semver.is_valid` and `semver.compare` (SemVer 2.0.0 precedence), using the semver package in strict mode. */
import semver from 'semver';
import type { Value } from '../value/value.js';
import { bool, num } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, stringArg } from './operands.js';

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
      for (const [position, version] of [
        [1, a],
        [2, b],
      ] as const) {
        if (!isValid(version)) {
          throw builtinError(
            'semver.compare',
            `operand ${position}: string ${JSON.stringify(version)} is not a valid SemVer`,
          );
        }
      }
      return num(semver.compare(a, b));
    },
  },
];
