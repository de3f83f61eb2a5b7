/**
 * What builtins see of one query: strictness, the engine's cache, `print` and the clock.
 * A class rather than an object literal with a getter, which V8 builds through a runtime
 * call on every query.
 */
import type { BuiltinContext } from '../builtins/builtin.js';

export class QueryBuiltinContext implements BuiltinContext {
  private now: bigint | undefined;

  constructor(
    readonly strict: boolean,
    readonly cache: Map<string, unknown>,
    /** The query's start, read once; the clock builtins see it only if they ask. */
    private readonly startedMs: number,
    nowNs: bigint | undefined,
    private readonly prints: string[],
    private readonly onPrint: ((line: string) => void) | undefined,
  ) {
    this.now = nowNs;
  }

  get nowNs(): bigint {
    this.now ??= BigInt(this.startedMs) * 1_000_000n;
    return this.now;
  }

  print(line: string): void {
    this.prints.push(line);
    this.onPrint?.(line);
  }
}
