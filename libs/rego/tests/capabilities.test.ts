import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTINS } from '../src/builtins/index.js';
import type { Capabilities } from '../src/index.js';
import { RegoEngine } from '../src/index.js';

/** OPA's capabilities file as checked in, read from disk as a tool would read it. */
const opa = JSON.parse(
  readFileSync(new URL('../capabilities/opa-capabilities.json', import.meta.url), 'utf8'),
) as Capabilities;

/**
 * OPA builtins this engine does not offer yet, each with why. Like the conformance
 * known-failures list it is reconciled both ways: a builtin that lands must leave the list.
 */
const NOT_YET_OFFERED: Readonly<Record<string, string>> = {
  'internal.test_case': "OPA's test runner's parametrised cases",
};

describe('the capabilities export', () => {
  const exported = new RegoEngine().capabilities();
  const byName = new Map(exported.builtins.map((b) => [b.name, b]));

  it("lists every builtin of OPA's capabilities file but those not yet offered, and no more", () => {
    const missing = opa.builtins.map((b) => b.name).filter((name) => !byName.has(name));
    expect(missing.sort()).toEqual(Object.keys(NOT_YET_OFFERED).sort());
  });

  it("declares each builtin with OPA's types, operator and flags", () => {
    for (const declared of opa.builtins) {
      const offered = byName.get(declared.name);
      if (offered !== undefined) expect(offered, declared.name).toEqual(declared);
    }
  });

  it('offers no builtin OPA does not declare', () => {
    const opaNames = new Set(opa.builtins.map((b) => b.name));
    expect(exported.builtins.map((b) => b.name).filter((name) => !opaNames.has(name))).toEqual([]);
  });

  it("gives each registered builtin the arity of OPA's declaration", () => {
    for (const definition of BUILTINS.values()) {
      const declared = byName.get(definition.name);
      const args = declared === undefined ? undefined : (declared.decl.args ?? []);
      expect(args?.length, definition.name).toBe(definition.arity);
    }
  });

  it('lists builtins sorted by name, as OPA writes them, with the v0 future keywords', () => {
    const names = exported.builtins.map((b) => b.name);
    expect(names).toEqual([...names].sort());
    expect(exported.future_keywords).toEqual(['contains', 'every', 'if', 'in']);
    expect(exported.features).toEqual(expect.arrayContaining(['rego_v1', 'keywords_in_refs']));
  });

  it('is the same document when written as JSON and read back', () => {
    expect(JSON.parse(JSON.stringify(exported))).toEqual(exported);
  });
});
