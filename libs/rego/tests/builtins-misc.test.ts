import { describe, expect, it } from 'vitest';
import { BUILTINS, formatPrintLine, formatTerm } from '../src/builtins/index.js';
import { arr, num, obj, set, str } from '../src/value/index.js';
import { call, callError, callValue, testContext } from './builtin-harness.js';

describe('units', () => {
  it('parses SI and IEC suffixes exactly, m being milli and M mega', () => {
    expect(call('units.parse', '1.5Gi')).toBe(1610612736);
    expect(call('units.parse', '1m')).toBe(0.001);
    expect(call('units.parse', '1M')).toBe(1000000);
    expect(call('units.parse', '1E')).toBe(10n ** 18n);
    expect(call('units.parse', '"10"')).toBe(10);
    expect(call('units.parse', '1e3k')).toBe(1000000);
    expect(call('units.parse', '1.5m')).toBe(0.0015);
  });

  it('parses byte amounts case-insensitively, to integers', () => {
    expect(call('units.parse_bytes', '1KiB')).toBe(1024);
    expect(call('units.parse_bytes', '2mb')).toBe(2000000);
    expect(call('units.parse_bytes', '1.5K')).toBe(1500);
  });

  it('rejects spaces and unknown units', () => {
    expect(callError('units.parse', '1 m')).toBe(
      'units.parse: spaces not allowed in resource strings',
    );
    expect(callError('units.parse_bytes', '1xb')).toBe(
      'units.parse_bytes: byte unit xb not recognized',
    );
    expect(callError('units.parse', '1h')).toBe('units.parse: unit h not recognized');
    expect(callError('units.parse', 'm')).toBe('units.parse: no amount provided');
    expect(callError('units.parse', '1e1234567')).toBe('units.parse: exponent too large');
  });
});

describe('uuid', () => {
  it('generates version 4 UUIDs, stable per seed within a query', () => {
    const context = testContext();
    const a = callValue('uuid.rfc4122', ['x'], context);
    expect(callValue('uuid.rfc4122', ['x'], context)).toEqual(a);
    expect(callValue('uuid.rfc4122', ['y'], context)).not.toEqual(a);
    expect(a?.kind === 'string' && a.value).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('parses version 1 fields: time, clock sequence, node', () => {
    expect(call('uuid.parse', 'b01d0062-a116-11ee-822b-7ab0b9e5e0c0')).toEqual({
      clocksequence: 555,
      macvariables: 'local:unicast',
      nodeid: '7a-b0-b9-e5-e0-c0',
      time: 1703282931110717000n,
      variant: 'RFC4122',
      version: 1,
    });
  });

  it('parses the time of version 7 and is undefined for invalid text', () => {
    expect(call('uuid.parse', '017F22E2-79B0-7CC3-98C4-DC0C0C07398F')).toEqual({
      time: 1645557742000000000n,
      variant: 'RFC4122',
      version: 7,
    });
    expect(call('uuid.parse', 'not-valid')).toBeUndefined();
  });
});

describe('semver', () => {
  it('validates strict semantic versions', () => {
    expect(call('semver.is_valid', '1.1.12-rc1+foo')).toBe(true);
    expect(call('semver.is_valid', '1.1')).toBe(false);
    expect(call('semver.is_valid', 'v1.0.0')).toBe(false);
    expect(call('semver.is_valid', 1)).toBe(false);
  });

  it('compares by SemVer precedence', () => {
    expect(call('semver.compare', '1.9.10', '1.8.15')).toBe(1);
    expect(call('semver.compare', '1.0.0-alpha', '1.0.0')).toBe(-1);
    expect(call('semver.compare', '1.0.0+a', '1.0.0+b')).toBe(0);
    expect(callError('semver.compare', '1.0', '1.0.0')).toMatch(
      /^semver.compare: operand 1: string "1.0" is not a valid SemVer/,
    );
  });
});

describe('net', () => {
  it('tests containment of addresses and networks, IPv4 and IPv6', () => {
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.1.2.3')).toBe(true);
    expect(call('net.cidr_contains', '10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(call('net.cidr_contains', '10.0.0.0/8', '10.2.0.0/16')).toBe(true);
    expect(call('net.cidr_contains', '2001:db8::/32', '2001:db8::1')).toBe(true);
    expect(call('net.cidr_contains', '::ffff:0:0/96', '::ffff:1.2.3.4')).toBe(true);
    expect(callError('net.cidr_contains', '10.0.0.0', '10.0.0.1')).toMatch(/invalid CIDR/);
  });

  it('tests intersection and validity', () => {
    expect(call('net.cidr_intersects', '10.0.0.0/8', '10.1.0.0/16')).toBe(true);
    expect(call('net.cidr_intersects', '10.0.0.0/8', '11.0.0.0/8')).toBe(false);
    expect(call('net.cidr_is_valid', '192.168.0.0/33')).toBe(false);
    expect(call('net.cidr_is_valid', 'fd00::/8')).toBe(true);
  });

  it('sees an IPv4-mapped IPv6 address as the IPv4 address, as Go does', () => {
    expect(call('net.cidr_contains', '10.0.0.0/8', '::ffff:10.1.2.3')).toBe(true);
  });

  it('expands networks into their addresses', () => {
    expect(call('net.cidr_expand', '192.168.1.0/30')).toEqual([
      '192.168.1.0',
      '192.168.1.1',
      '192.168.1.2',
      '192.168.1.3',
    ]);
    expect(call('net.cidr_expand', '2001:db8::/127')).toEqual(['2001:db8::', '2001:db8::1']);
    expect(callError('net.cidr_expand', '10.0.0.0/8')).toMatch(/exceeds the limit/);
  });

  it('merges networks into the fewest CIDRs', () => {
    expect(call('net.cidr_merge', ['192.0.128.0/24', '192.0.129.0/24'])).toEqual([
      '192.0.128.0/23',
    ]);
    expect(call('net.cidr_merge', new Set(['10.0.0.0/8', '10.1.0.0/16', '11.0.0.0/8']))).toEqual([
      '10.0.0.0/7',
    ]);
    expect(call('net.cidr_merge', ['10.0.0.1/32', '10.0.0.2/32'])).toEqual([
      '10.0.0.1/32',
      '10.0.0.2/32',
    ]);
    expect(call('net.cidr_merge', ['10.0.0.0/32', '10.0.0.1/32', '10.0.0.2/32'])).toEqual([
      '10.0.0.0/31',
      '10.0.0.2/32',
    ]);
    expect(call('net.cidr_merge', ['1.2.3.4'])).toEqual(['1.0.0.0/8']);
    expect(call('net.cidr_merge', ['2001:db8::/33', '2001:db8:8000::/33'])).toEqual([
      '2001:db8::/32',
    ]);
    expect(callError('net.cidr_merge', ['::1'])).toMatch(/IPv6 invalid/);
  });

  it('reports which networks contain which addresses', () => {
    expect(
      call('net.cidr_contains_matches', ['10.0.0.0/8', '192.168.0.0/16'], {
        a: '10.1.1.1',
        b: '8.8.8.8',
      }),
    ).toEqual([[0, 'a']]);
  });
});

describe('value text for print and sprintf', () => {
  it('writes Rego syntax with sorted sets and keys', () => {
    const value = obj([
      [str('b'), set([num(2), num(1)])],
      [num(1), arr([str('x'), { kind: 'null' }])],
    ]);
    expect(formatTerm(value)).toBe('{1: ["x", null], "b": {1, 2}}');
    expect(formatTerm(set([]))).toBe('set()');
    expect(formatTerm(num(12345678901234567890n))).toBe('12345678901234567890');
    expect(formatTerm(str('tab\there\u0001 é\u00a0"'))).toBe('"tab\\there\\x01 é\\u00a0\\""');
  });

  it('prints strings raw, other values as terms and undefined operands as <undefined>', () => {
    expect(formatPrintLine([str('Hello'), arr([str('Hello')]), undefined])).toBe(
      'Hello ["Hello"] <undefined>',
    );
  });

  it('traces without effect', () => {
    expect(call('trace', 'note')).toBe(true);
  });
});

describe('deprecated builtins', () => {
  it('are marked so that only Rego v0 modules can call them', () => {
    for (const name of [
      'all',
      'any',
      're_match',
      'cast_array',
      'cast_set',
      'set_diff',
      'net.cidr_overlap',
    ]) {
      expect(BUILTINS.get(name)?.deprecated).toBe(true);
    }
    expect(BUILTINS.get('regex.match')?.deprecated).toBeFalsy();
  });

  it('convert and compare as OPA 0.x did', () => {
    expect(call('cast_array', new Set([2, 1]))).toEqual([1, 2]);
    expect(call('cast_set', [1, 1, 2])).toEqual([1, 2]);
    expect(callError('cast_string', 1)).toBe(
      'cast_string: operand 1 must be string but got number',
    );
    expect(call('set_diff', new Set([1, 2]), new Set([2]))).toEqual([1]);
    expect(call('net.cidr_overlap', '10.0.0.0/8', '10.1.1.1')).toBe(true);
  });
});
