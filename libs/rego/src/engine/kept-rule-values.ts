/**
 * The values of an engine's input-free rule sets (see `compiler/input-free-rules.ts`), kept
 * from one evaluation to the next for the policy and base data they were computed with:
 * another policy or other data starts afresh. Strict and lenient queries keep theirs apart,
 * since a builtin error is an undefined value in one and an error in the other. What the
 * arguments of a function decide (a definition that fails, or its result, for the same
 * argument values) is kept the same way.
 */
import type { CompiledPolicy } from '../compiler/compiler.js';
import type { ArgumentDecided } from '../compiler/input-free-rules.js';
import { analyseInputFree } from '../compiler/input-free-rules.js';
import type { ArgumentDecisions } from '../evaluator/argument-decisions.js';
import type { CacheEntry } from '../evaluator/context.js';
import type { Value } from '../value/value.js';

export interface KeptValues {
  readonly inputFree: readonly boolean[];
  readonly constants: (CacheEntry | undefined)[];
  readonly argumentDecided: readonly (readonly (ArgumentDecided | undefined)[] | undefined)[];
  /** By rule set id, per definition: what its arguments decided so far (`argument-decisions.ts`). */
  readonly decisions: (ArgumentDecisions[] | undefined)[];
}

export class KeptRuleValues {
  private policy: CompiledPolicy | undefined;
  private data: Value | undefined;
  private inputFree: readonly boolean[] = [];
  private argumentDecided: KeptValues['argumentDecided'] = [];
  private lenient: KeptValues | undefined;
  private strict: KeptValues | undefined;

  /** The kept values for evaluations of `policy` over `data`. */
  for(policy: CompiledPolicy, data: Value, strict: boolean): KeptValues {
    if (policy !== this.policy) {
      this.policy = policy;
      ({ inputFree: this.inputFree, argumentDecided: this.argumentDecided } =
        analyseInputFree(policy));
      this.data = undefined;
    }
    if (data !== this.data) {
      this.data = data;
      this.lenient = undefined;
      this.strict = undefined;
    }
    if (strict) {
      this.strict ??= this.fresh();
      return this.strict;
    }
    this.lenient ??= this.fresh();
    return this.lenient;
  }

  private fresh(): KeptValues {
    return {
      inputFree: this.inputFree,
      constants: new Array(this.inputFree.length).fill(undefined),
      argumentDecided: this.argumentDecided,
      decisions: new Array(this.inputFree.length).fill(undefined),
    };
  }
}
