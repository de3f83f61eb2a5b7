import { describe, expect, it, vi } from 'vitest';
import { BUILTINS } from '../src/builtins/index.js';
import { compileModules } from '../src/compiler/compiler.js';
import { inputFreeRuleSets } from '../src/compiler/input-free-rules.js';
import type { PatternSource } from '../src/engine/pattern-precompile.js';
import { patternSources, stringsAt } from '../src/engine/pattern-precompile.js';
import { RegoEngine } from '../src/index.js';
import { parseModule } from '../src/parser/parser.js';
import { fromJs } from '../src/value/value-json.js';

// The engine compiles a policy's regular expressions once the policy and its data are set
// (engine/pattern-precompile.ts): at `prepare()` or the first query, whichever comes first, so
// that the first prompt reaching a detector does not pay for them and a load pays them once. These pin down which strings it finds: the patterns, and not the rest of a table.

const DETECTORS = `package p

detectors := {
  "a": {"pattern": "a+b", "what": "an a then a b", "triggers": ["a"]},
  "b": {"pattern": data.extra, "what": "extra", "triggers": ["b"]},
}

scans[code] := concat("|", d.triggers) if some code, d in detectors

email_pattern := "[a-z]+@[a-z]+"

matches(pattern) := regex.find_n(pattern, input.text, -1)

found contains code if {
  some code, d in detectors
  regex.match(scans[code], input.text)
  regex.match(d.pattern, input.text)
}

emails := matches(email_pattern)

literal if regex.match("^x[0-9]$", input.text)

from_input if regex.match(input.pattern, input.text)
`;

/** The strings the engine would compile for `source` over `data`, sorted. */
function patternsOf(source: string, data: unknown): string[] {
  const policy = compileModules([parseModule('p.rego', source, 'v1')], BUILTINS);
  const sources = patternSources(policy, inputFreeRuleSets(policy));
  const engine = new RegoEngine();
  engine.addModule('p.rego', source);
  engine.setData(data);
  const out = new Set<string>();
  for (const s of sources) {
    if ('pattern' in s) out.add(s.pattern);
    else stringsAt(ruleValue(engine, s), s.steps, out);
  }
  return [...out].sort();
}

function ruleValue(engine: RegoEngine, s: Extract<PatternSource, { ruleSet: unknown }>) {
  return engine.evalRuleValue(`data.${s.ruleSet.path.join('.')}`) ?? fromJs(null);
}

/** The engine's pattern cache (builtins/regex.ts), read here as the regex builtins read it. */
function compiledPatterns(engine: RegoEngine): string[] {
  const cache = (engine as unknown as { cache: Map<string, Map<string, unknown>> }).cache;
  return [...(cache.get('regex')?.keys() ?? [])].sort();
}

describe('patterns compiled with the policy', () => {
  it('finds a table’s patterns through the loop variable, not its other strings', () => {
    const patterns = patternsOf(DETECTORS, { extra: 'x{2,}' });
    expect(patterns).toContain('a+b');
    // A pattern that comes from data, through an input-free rule.
    expect(patterns).toContain('x{2,}');
    expect(patterns).not.toContain('an a then a b');
    expect(patterns).not.toContain('extra');
  });

  it('finds patterns built by an input-free rule and read by a variable key', () => {
    expect(patternsOf(DETECTORS, { extra: 'x' })).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('follows a function parameter to what its callers pass', () => {
    expect(patternsOf(DETECTORS, { extra: 'x' })).toContain('[a-z]+@[a-z]+');
  });

  it('takes constant operands as they are and leaves operands read from the input', () => {
    const patterns = patternsOf(DETECTORS, { extra: 'x' });
    expect(patterns).toContain('^x[0-9]$');
    expect(patterns).toEqual(['[a-z]+@[a-z]+', '^x[0-9]$', 'a', 'a+b', 'b', 'x']);
  });

  it('holds them compiled once prepared, before any query', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', DETECTORS);
    engine.setData({ extra: 'x{2,}' });
    expect(compiledPatterns(engine)).toEqual([]);
    engine.prepare();
    expect(compiledPatterns(engine)).toEqual(patternsOf(DETECTORS, { extra: 'x{2,}' }));
  });

  it('compiles them in the first query when nobody prepared the engine', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', DETECTORS);
    engine.setData({ extra: 'x{2,}' });
    // A query that reaches no regex builtin: the patterns are compiled all the same.
    expect(engine.evalRule('data.p.email_pattern')).toBe('[a-z]+@[a-z]+');
    expect(compiledPatterns(engine)).toEqual(patternsOf(DETECTORS, { extra: 'x{2,}' }));
  });

  it('compiles once per load of modules and data, and again after either changes', () => {
    const engine = new RegoEngine();
    const pass = vi.spyOn(
      engine as unknown as { precompilePatterns(): void },
      'precompilePatterns',
    );
    engine.addModule('p.rego', DETECTORS);
    engine.setData({ extra: 'x' });
    engine.prepare();
    engine.evalRule('data.p.found', { input: { text: 'aab' } });
    expect(pass).toHaveBeenCalledTimes(1);
    engine.setData({ extra: 'y+' });
    expect(engine.evalRule('data.p.found', { input: { text: 'b' } })).toEqual([]);
    expect(pass).toHaveBeenCalledTimes(2);
    expect(compiledPatterns(engine)).toContain('y+');
  });

  it('answers as before for every rule after compiling ahead, an invalid pattern included', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', DETECTORS);
    // `(?=` is no RE2: compiling it ahead fails quietly, and the query meets the error as before.
    engine.setData({ extra: '(?=x)' });
    expect(engine.evalRule('data.p.found', { input: { text: 'aab' } })).toEqual(['a']);
    expect(engine.evalRule('data.p.emails', { input: { text: 'me@host' } })).toEqual(['me@host']);
    expect(() => engine.evalRule('data.p.found', { input: { text: 'b' }, strict: true })).toThrow(
      /regex\.match/,
    );
  });
});
