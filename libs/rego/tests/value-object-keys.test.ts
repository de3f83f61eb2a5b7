import { describe, expect, it } from 'vitest';
import { fromJs, obj, RegoEngine, str, toJs } from '../src/index.js';
import { call } from './builtin-harness.js';

/**
 * Every object key is data, whatever its name (issue 9, defect 6): `__proto__` and the
 * names of Object.prototype's members must round-trip as keys, as they do in OPA, and never
 * reach a JavaScript object's prototype.
 */
const PROTO = JSON.parse('{"__proto__": 5, "b": 1}') as Record<string, unknown>;

function ownKeys(value: unknown): string[] {
  expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  return Object.keys(value as object);
}

describe('object keys named like JavaScript internals', () => {
  it('toJs keeps a __proto__ key as an own property and the prototype untouched', () => {
    const out = toJs(obj([[str('__proto__'), str('x')]])) as Record<string, unknown>;
    expect(ownKeys(out)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toBe('x');
  });

  it('fromJs and toJs round-trip __proto__, constructor and toString keys', () => {
    const input = JSON.parse('{"__proto__": {"a": 1}, "constructor": 2, "toString": 3}');
    const back = toJs(fromJs(input));
    expect(JSON.stringify(back)).toBe('{"__proto__":{"a":1},"constructor":2,"toString":3}');
  });

  it('json.marshal writes a __proto__ key', () => {
    expect(call('json.marshal', PROTO)).toBe('{"__proto__":5,"b":1}');
  });

  it('json.marshal_with_options writes a __proto__ key when indenting', () => {
    expect(call('json.marshal_with_options', PROTO, { pretty: true, indent: ' ' })).toBe(
      '{\n "__proto__": 5,\n "b": 1\n}',
    );
  });

  it('json.unmarshal and yaml.unmarshal read a __proto__ key as data', () => {
    expect(JSON.stringify(call('json.unmarshal', '{"__proto__": 5, "b": 1}'))).toBe(
      '{"__proto__":5,"b":1}',
    );
    expect(JSON.stringify(call('yaml.unmarshal', '__proto__: 5\nb: 1'))).toBe(
      '{"__proto__":5,"b":1}',
    );
  });

  it('yaml.marshal writes a __proto__ key', () => {
    expect(call('yaml.marshal', PROTO)).toBe('__proto__: 5\nb: 1\n');
  });

  it('object.union, object.get, json.filter and json.patch treat __proto__ as a key', () => {
    expect(JSON.stringify(call('object.union', PROTO, { c: 2 }))).toBe(
      '{"__proto__":5,"b":1,"c":2}',
    );
    expect(call('object.get', PROTO, '__proto__', 0)).toBe(5);
    expect(JSON.stringify(call('json.filter', PROTO, ['__proto__']))).toBe('{"__proto__":5}');
    expect(
      JSON.stringify(call('json.patch', { b: 1 }, [{ op: 'add', path: '/__proto__', value: 5 }])),
    ).toBe('{"__proto__":5,"b":1}');
  });

  it('evalRule and evalQuery return __proto__ keys of rule values and input', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', 'package p\n\nr := {"__proto__": 5, "b": 1}\n\ns := input\n');
    expect(JSON.stringify(engine.evalRule('data.p.r'))).toBe('{"__proto__":5,"b":1}');
    expect(ownKeys(engine.evalRule('data.p.r'))).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(engine.evalRule('data.p.s', { input: PROTO }))).toBe(
      '{"__proto__":5,"b":1}',
    );
    const out = engine.evalQuery('x := data.p.r');
    expect(JSON.stringify(out.results[0]?.bindings)).toBe('{"x":{"__proto__":5,"b":1}}');
  });

  it('evalQuery keeps a variable named __proto__ among the bindings', () => {
    const engine = new RegoEngine();
    const out = engine.evalQuery('__proto__ := 7');
    expect(JSON.stringify(out.results[0]?.bindings)).toBe('{"__proto__":7}');
  });

  it('time.format takes a layout named like an Object.prototype member literally', () => {
    // Go formats a layout with no reference-time element as the layout text itself.
    expect(call('time.format', [0, 'UTC', 'constructor'])).toBe('constructor');
  });
});
