/**
 * What builtins see of one query: strictness, the engine's cache, `print` and the clock.
 * A class rather than an object literal with a getter, which V8 builds through a runtime
 * call on every query.
 */
import type { BuiltinContext } from '../builtins/builtin.js';
import type { NetworkAccess } from '../builtins/network/network-access.js';
import type { Value } from '../value/value.js';

/** What the engine gives every query's builtins besides the query's own state. */
export interface EngineHostAccess {
  readonly network: NetworkAccess | undefined;
  readonly runtime: Value | undefined;
}

export class QueryBuiltinContext implements BuiltinContext {
  private now: bigint | undefined;
  private perQuery: Map<string, unknown> | undefined;

  constructor(
    readonly strict: boolean,
    readonly cache: Map<string, unknown>,
    /** The query's start, read once; the clock builtins see it only if they ask. */
    private readonly startedMs: number,
    nowNs: bigint | undefined,
    private readonly prints: string[],
    private readonly onPrint: ((line: string) => void) | undefined,
    private readonly host?: EngineHostAccess,
  ) {
    this.now = nowNs;
  }

  /** Made on first use: most queries call no builtin that needs it. */
  get queryCache(): Map<string, unknown> {
    this.perQuery ??= new Map();
    return this.perQuery;
  }

  get network(): NetworkAccess | undefined {
    return this.host?.network;
  }

  get runtime(): Value | undefined {
    return this.host?.runtime;
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
