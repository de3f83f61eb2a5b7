import { describe, expect, it } from 'vitest';
import { RegoEngine } from '../src/index.js';

describe('opa.runtime', () => {
  it('answers what the embedding program describes, as given in the engine options', () => {
    const engine = new RegoEngine({
      runtime: { env: { REGION: 'eu-west-1' }, version: '1.2.3', commit: 'abc123' },
    });
    expect(engine.evalQuery('x := opa.runtime()').results[0]?.bindings.x).toEqual({
      env: { REGION: 'eu-west-1' },
      version: '1.2.3',
      commit: 'abc123',
    });
    expect(engine.evalRule('opa.runtime().env.REGION')).toBe('eu-west-1');
  });

  it('answers an empty object when the engine is given nothing, so fields are undefined', () => {
    const engine = new RegoEngine();
    expect(engine.evalQuery('x := opa.runtime()').results[0]?.bindings.x).toEqual({});
    expect(engine.evalQuery('x := opa.runtime().env.HOME').results).toEqual([]);
  });
});
