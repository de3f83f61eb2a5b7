import { describe, expect, it } from 'vitest';
import { call, callError } from './builtin-harness.js';

const render = (template: string, vars: Record<string, unknown>) =>
  call('strings.render_template', template, vars);

describe('strings.render_template', () => {
  it('prints fields, nested fields and numbers in their literal form', () => {
    expect(render('{{.test}}', { test: 'hello world' })).toBe('hello world');
    expect(render('{{.n}} and {{.a.b}}', { n: 2023, a: { b: 1.5 } })).toBe('2023 and 1.5');
  });

  it('prints a missing field as <undefined>, as OPA does', () => {
    expect(render('test {{.foo}} {{.bar}} {{.baz}}', { baz: 1 })).toBe(
      'test <undefined> <undefined> 1',
    );
  });

  it('ranges with index and element variables, and branches with if/else if/else', () => {
    expect(
      render('{{range $i, $name := .names}}{{if $i}},{{end}}hello {{$name}}{{end}}', {
        names: ['rohan', 'john doe'],
      }),
    ).toBe('hello rohan,hello john doe');
    const grade = '{{if ge .n 90}}A{{else if ge .n 50}}B{{else}}C{{end}}';
    expect([95, 60, 10].map((n) => render(grade, { n }))).toEqual(['A', 'B', 'C']);
    expect(render('{{range .xs}}[{{.}}]{{else}}none{{end}}', { xs: [] })).toBe('none');
    expect(render('{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}', { m: { b: 2, a: 1 } })).toBe(
      'a=1;b=2;',
    );
  });

  it('trims around {{- and -}}, skips comments, and supports with, variables and functions', () => {
    expect(render('a  {{- .x -}}  b{{/* note */}}', { x: '-' })).toBe('a-b');
    expect(render('{{with .user}}{{.name}}{{end}}', { user: { name: 'ann' } })).toBe('ann');
    expect(render('{{$n := len .xs}}{{$n}} {{index .xs 1}}', { xs: ['p', 'q'] })).toBe('2 q');
    expect(render('{{if and .a (not .b)}}yes{{end}}', { a: true, b: false })).toBe('yes');
    expect(render('{{.s | len}}', { s: 'héllo' })).toBe('6');
    expect(render('{{.m}} {{.xs}}', { m: { k: 'v' }, xs: [1, 'a'] })).toBe('map[k:v] [1 a]');
  });

  it('fails on a template that does not parse or names an unknown function', () => {
    expect(callError('strings.render_template', '{{if .x}}open', {})).toMatch(
      /^strings\.render_template: template: /,
    );
    expect(callError('strings.render_template', '{{nosuch .x}}', {})).toBe(
      'strings.render_template: template: function "nosuch" not defined',
    );
    expect(callError('strings.render_template', '{{.x}}', 'not an object')).toMatch(
      /operand 2 must be object/,
    );
  });
});
