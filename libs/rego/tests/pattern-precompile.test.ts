import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../src/builtins/index.js';
import { compileModules } from '../src/compiler/compiler.js';
import { inputFreeRuleSets } from '../src/compiler/input-free-rules.js';
import type { PatternSource } from '../src/engine/pattern-precompile.js';
import { patternSources, stringsAt } from '../src/engine/pattern-precompile.js';
import { RegoEngine } from '../src/index.js';
import { parseModule } from '../src/parser/parser.js';
import { fromJs } from '../src/value/value-json.js';

// The engine compiles a policy's regular expressions when the policy and its data are set
// (engine/pattern-precompile.ts), so that the first prompt reaching a detector does not pay
// for them. These pin down which strings it finds: the patterns, and not the rest of a table.

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

  it('holds them compiled once the policy and its data are set, before any query', () => {
    const engine = new RegoEngine();
    engine.addModule('p.rego', DETECTORS);
    engine.setData({ extra: 'x{2,}' });
    // The engine's pattern cache (builtins/regex.ts), read here as the regex builtins read it.
    const cache = (engine as unknown as { cache: Map<string, Map<string, unknown>> }).cache;
    expect([...(cache.get('regex')?.keys() ?? [])].sort()).toEqual(
      patternsOf(DETECTORS, { extra: 'x{2,}' }),
    );
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
