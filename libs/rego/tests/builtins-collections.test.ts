import { describe, expect, it } from 'vitest';
import { arr, num, obj, set, str, valuesEqual } from '../src/value/index.js';
import { call, callError, callValue } from './builtin-harness.js';

describe('aggregates', () => {
  it('count arrays, objects, sets and strings by code point', () => {
    expect(call('count', [1, 2, 3])).toBe(3);
    expect(call('count', { a: 1 })).toBe(1);
    expect(call('count', new Set([1, 1, 2]))).toBe(2);
    expect(call('count', 'héllo😀')).toBe(6);
  });

  it('sum and multiply, exactly for big integers', () => {
    expect(call('sum', [1, 2, 3.5])).toBe(6.5);
    expect(call('sum', [])).toBe(0);
    expect(call('product', new Set([2, 3]))).toBe(6);
    expect(call('product', [])).toBe(1);
    expect(call('sum', [9007199254740991, 9007199254740991])).toBe(18014398509481982n);
  });

  it('fail on collections of non-numbers', () => {
    expect(callError('sum', [1, 'a'])).toMatch(/^sum: operand 1 must be array or set of numbers/);
  });

  it('are undefined for max and min of empty collections', () => {
    expect(call('max', [-1, 3, 2])).toBe(3);
    expect(call('min', new Set([1, 2, -1]))).toBe(-1);
    expect(call('max', [])).toBeUndefined();
  });

  it('sort arrays and sets into OPA order', () => {
    expect(call('sort', [3, 'a', null, 1])).toEqual([null, 1, 3, 'a']);
    expect(call('sort', new Set([3, 1, 2]))).toEqual([1, 2, 3]);
  });

  it('implement the deprecated all and any', () => {
    expect(call('all', [true, true])).toBe(true);
    expect(call('all', [true, 1])).toBe(false);
    expect(call('any', new Set([false, true]))).toBe(true);
    expect(call('any', [])).toBe(false);
  });
});

describe('array builtins', () => {
  it('flatten one level of nesting, as OPA does', () => {
    expect(call('array.flatten', [[1, 2], 'x', [3, [4]]])).toEqual([1, 2, 'x', 3, [4]]);
    expect(call('array.flatten', [])).toEqual([]);
  });

  it('concatenate and reverse arrays', () => {
    expect(call('array.concat', [1], [2, 3])).toEqual([1, 2, 3]);
    expect(call('array.reverse', [1, 2, 3])).toEqual([3, 2, 1]);
  });

  it('slice with indexes clamped to the array', () => {
    expect(call('array.slice', [1, 2, 3], 0, 2)).toEqual([1, 2]);
    expect(call('array.slice', [1, 2, 3], -5, 5)).toEqual([1, 2, 3]);
    expect(call('array.slice', [1, 2, 3], 2, 1)).toEqual([]);
  });

  it('reject non-integer slice indexes as OPA does', () => {
    expect(callError('array.slice', [1], 1.5, 2)).toBe(
      'array.slice: operand 2 must be integer number but got floating-point number',
    );
  });
});

describe('set builtins', () => {
  it('intersect and unite two sets and sets of sets', () => {
    expect(call('and', new Set([1, 2]), new Set([2, 3]))).toEqual([2]);
    expect(call('or', new Set([1]), new Set([2]))).toEqual([1, 2]);
    const sets = set([set([num(1), num(2)]), set([num(2), num(3)])]);
    expect(callValue('intersection', [sets])).toEqual(set([num(2)]));
    expect(callValue('union', [sets])).toEqual(set([num(1), num(2), num(3)]));
  });

  it('reject non-sets', () => {
    expect(callError('and', [1], new Set())).toBe('and: operand 1 must be set but got array');
  });
});

describe('object builtins', () => {
  const composite = obj([
    [str('a'), num(5)],
    [str('b'), obj([[str('c'), num(8)]])],
    [set([num(1)]), num(8)],
  ]);

  it('get values by key or path, with a default', () => {
    expect(call('object.get', { a: 5 }, 'a', 0)).toBe(5);
    expect(call('object.get', { a: { b: [7] } }, ['a', 'b', 0], 0)).toBe(7);
    expect(call('object.get', { a: 5 }, ['a', 'b'], 'default')).toBe('default');
    expect(callValue('object.get', [composite, set([num(1)]), num(0)])).toEqual(num(8));
    expect(call('object.get', { a: 1 }, [], 0)).toEqual({ a: 1 });
  });

  it('list keys, remove and filter them, keys given as array, set or object', () => {
    expect(call('object.keys', { b: 1, a: 2 })).toEqual(['a', 'b']);
    expect(call('object.remove', { a: 1, b: 2, c: 3 }, ['a'])).toEqual({ b: 2, c: 3 });
    expect(call('object.remove', { a: 1, b: 2 }, { b: 0 })).toEqual({ a: 1 });
    expect(call('object.filter', { a: 1, b: 2, c: 3 }, new Set(['a', 'c']))).toEqual({
      a: 1,
      c: 3,
    });
  });

  it('unite objects recursively, the right side winning', () => {
    expect(call('object.union', { a: { b: 1, c: 2 }, d: 1 }, { a: { b: 3 }, d: { x: 1 } })).toEqual(
      {
        a: { b: 3, c: 2 },
        d: { x: 1 },
      },
    );
    expect(call('object.union_n', [{ a: 1 }, { b: 2 }, { a: 3 }])).toEqual({ a: 3, b: 2 });
  });

  it('test subsets of objects, sets and arrays', () => {
    expect(call('object.subset', { a: { b: 1, c: 2 }, d: 3 }, { a: { b: 1 } })).toBe(true);
    expect(call('object.subset', { a: 1 }, { a: 2 })).toBe(false);
    expect(call('object.subset', new Set([1, 2, 3]), new Set([1, 3]))).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4], [2, 3])).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4], [3, 2])).toBe(false);
    expect(call('object.subset', [3, 1, 2], new Set([1, 2]))).toBe(true);
    expect(call('object.subset', { a: [1, 2, 3] }, { a: [2, 3] })).toBe(true);
    expect(callError('object.subset', new Set([1]), [1])).toMatch(
      /must be of the same type or array and set/,
    );
  });

  it('filter and remove JSON paths, arrays addressed by decimal strings', () => {
    const doc = { a: 5, b: { c: { d: 6 }, d: 7 }, c: 8 };
    expect(call('json.filter', doc, ['a', 'b/c'])).toEqual({ a: 5, b: { c: { d: 6 } } });
    expect(call('json.filter', doc, new Set(['c', ['b', 'd']]))).toEqual({ b: { d: 7 }, c: 8 });
    expect(call('json.filter', { a: [[1, [7, 8, 9], 2]] }, ['a/0/1/2', 'a/0/2'])).toEqual({
      a: [[[9], 2]],
    });
    expect(call('json.remove', doc, ['b/c', 'a'])).toEqual({ b: { d: 7 }, c: 8 });
  });

  it('filters set members by value', () => {
    const doc = obj([[str('a'), set([num(1), num(2)])]]);
    const filtered = callValue('json.filter', [doc, arr([arr([str('a'), num(1)])])]);
    expect(filtered && valuesEqual(filtered, obj([[str('a'), set([num(1)])]]))).toBe(true);
  });
});

describe('json.patch', () => {
  it('applies add, remove, replace, move, copy and test', () => {
    const doc = { a: { foo: 1 }, b: {}, arr: [1, 2, 3] };
    expect(
      call('json.patch', doc, [
        { op: 'add', path: '/a/bar', value: 2 },
        { op: 'replace', path: '/a/foo', value: 42 },
        { op: 'move', from: '/a/bar', path: '/b/bar' },
        { op: 'copy', from: '/b/bar', path: '/arr/-' },
        { op: 'remove', path: '/arr/0' },
        { op: 'test', path: '/a/foo', value: 42 },
      ]),
    ).toEqual({ a: { foo: 42 }, b: { bar: 2 }, arr: [2, 3, 2] });
  });

  it('unescapes ~1 and ~0 in pointers and accepts array paths', () => {
    expect(
      call('json.patch', { 'x/y': {} }, [{ op: 'add', path: '/x~1y/a~0b', value: 1 }]),
    ).toEqual({
      'x/y': { 'a~b': 1 },
    });
    expect(call('json.patch', { a: [1] }, [{ op: 'add', path: ['a', 0], value: 0 }])).toEqual({
      a: [0, 1],
    });
  });

  it('adds and removes set members by value', () => {
    expect(call('json.patch', new Set(['a']), [{ op: 'add', path: ['b'], value: 'b' }])).toEqual([
      'a',
      'b',
    ]);
    expect(call('json.patch', new Set(['a', 'b']), [{ op: 'remove', path: ['a'] }])).toEqual(['b']);
  });

  it('is undefined when a patch does not apply, leaving the input unchanged', () => {
    const doc = { a: [1, 2, 3] };
    expect(call('json.patch', doc, [{ op: 'remove', path: '/missing' }])).toBeUndefined();
    expect(call('json.patch', [1, 2], [{ op: 'remove', path: '/01' }])).toBeUndefined();
    expect(call('json.patch', [1, 2], [{ op: 'remove', path: '/-' }])).toBeUndefined();
    expect(call('json.patch', {}, [{ op: 'add', path: '/a' }])).toBeUndefined();
    expect(
      call('json.patch', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/c' }]),
    ).toBeUndefined();
    expect(call('json.patch', { a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toBeUndefined();
  });

  it('makes the document undefined when its root is removed, until something is added back', () => {
    expect(call('json.patch', { a: 1 }, [{ op: 'remove', path: '' }])).toBeUndefined();
    expect(
      call('json.patch', { a: 1 }, [
        { op: 'remove', path: '' },
        { op: 'add', path: '', value: { b: 2 } },
      ]),
    ).toEqual({ b: 2 });
  });
});

describe('type builtins', () => {
  it('name types and test them', () => {
    const values: unknown[] = [null, true, 1, 's', [], {}, new Set()];
    expect(values.map((v) => call('type_name', v))).toEqual([
      'null',
      'boolean',
      'number',
      'string',
      'array',
      'object',
      'set',
    ]);
    expect(call('is_string', 's')).toBe(true);
    expect(call('is_string', 1)).toBe(false);
    expect(call('is_set', new Set())).toBe(true);
    expect(call('is_object', new Set())).toBe(false);
  });
});

describe('graph builtins', () => {
  it('collects the nodes reachable from the start, through arrays and sets of neighbours', () => {
    const graph = { a: ['b'], b: new Set(['c']), c: ['a'], d: ['e'] };
    expect(call('graph.reachable', graph, ['a'])).toEqual(['a', 'b', 'c']);
    expect(call('graph.reachable', graph, new Set(['d']))).toEqual(['d']);
    expect(call('graph.reachable', graph, ['missing'])).toEqual([]);
  });

  it('list the paths from the start to leaves, cycles and missing nodes', () => {
    const graph = { a: ['b', 'c'], b: ['d'], c: ['a'], d: [] };
    expect(call('graph.reachable_paths', graph, ['a'])).toEqual([
      ['a', 'b', 'd'],
      ['a', 'c'],
    ]);
    expect(call('graph.reachable_paths', { a: ['x'] }, ['a'])).toEqual([['a']]);
    expect(call('graph.reachable_paths', { a: [] }, new Set(['a']))).toEqual([['a']]);
  });
});
