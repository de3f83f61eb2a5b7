import { describe, expect, it } from 'vitest';
import { BUILTINS, BuiltinError, BuiltinTypeError } from '../src/builtins/index.js';
import { callError, callValue } from './builtin-harness.js';

describe('the builtin registry', () => {
  it('holds each builtin under its dotted Rego name with its arity', () => {
    expect(BUILTINS.get('regex.match')?.arity).toBe(2);
    expect(BUILTINS.get('time.now_ns')?.arity).toBe(0);
    expect(BUILTINS.get('json.patch')?.arity).toBe(2);
    for (const [name, definition] of BUILTINS) expect(definition.name).toBe(name);
  });

  it('covers the categories policies need', () => {
    const required = [
      'equal',
      'plus',
      'minus',
      'rem',
      'count',
      'sum',
      'sort',
      'array.concat',
      'and',
      'or',
      'object.get',
      'json.patch',
      'concat',
      'sprintf',
      'regex.match',
      'glob.match',
      'type_name',
      'base64.encode',
      'json.marshal',
      'yaml.unmarshal',
      'urlquery.encode',
      'crypto.sha256',
      'time.parse_ns',
      'units.parse',
      'uuid.rfc4122',
      'semver.compare',
      'net.cidr_contains',
      'trace',
    ];
    expect(required.filter((name) => !BUILTINS.has(name))).toEqual([]);
  });

  it('offers no builtin OPA lacks, so policies stay portable', () => {
    expect(BUILTINS.has('crypto.sha512')).toBe(false);
    expect(BUILTINS.has('crypto.hmac.sha512')).toBe(true);
  });

  it('marks builtins whose result varies between equal calls as nondeterministic', () => {
    expect(BUILTINS.get('time.now_ns')?.nondeterministic).toBe(true);
    expect(BUILTINS.get('rand.intn')?.nondeterministic).toBe(true);
    expect(BUILTINS.get('upper')?.nondeterministic).toBeFalsy();
  });

  it('words operand type errors as OPA does, for every builtin alike', () => {
    expect(callError('upper', 1)).toBe('upper: operand 1 must be string but got number');
    expect(callError('array.concat', [1], 'x')).toBe(
      'array.concat: operand 2 must be array but got string',
    );
    expect(callError('count', null)).toBe(
      'count: operand 1 must be one of {array, object, set, string} but got null',
    );
  });

  it('raises BuiltinError, which the evaluator turns into undefined outside strict mode', () => {
    expect(() => callValue('div', [1, 0])).toThrow(BuiltinError);
  });

  it('tells type errors (OPA eval_type_error) from other builtin errors (eval_builtin_error)', () => {
    expect(() => callValue('upper', [1])).toThrow(BuiltinTypeError);
    expect(() => callValue('array.slice', [[1], 1.5, 2])).toThrow(BuiltinTypeError);
    const other = (() => {
      try {
        callValue('div', [1, 0]);
      } catch (error) {
        return error;
      }
    })();
    expect(other).toBeInstanceOf(BuiltinError);
    expect(other).not.toBeInstanceOf(BuiltinTypeError);
  });
});
