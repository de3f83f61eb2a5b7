/**
 * The public entry point: add modules (parsed and compiled together), set base data, and
 * evaluate queries against input, many times over the same compiled policy.
 */
import type { AstModule } from '../ast/ast.js';
import type { BuiltinDefinition } from '../builtins/builtin.js';
import type { Capabilities } from '../builtins/builtin-declarations.js';
import { BUILTINS } from '../builtins/index.js';
import type { NetworkAccess } from '../builtins/network/network-access.js';
import { compileRegex } from '../builtins/regex.js';
import { checkModules } from '../compiler/check-modules.js';
import type { CompiledPolicy } from '../compiler/compiler.js';
import { compileModules } from '../compiler/compiler.js';
import { checkDataConflicts } from '../compiler/data-conflicts.js';
import { documentTypes } from '../compiler/document-types.js';
import type { CompiledQuery, RuleSet } from '../compiler/ir.js';
import type { PolicyCheckOptions } from '../compiler/policy-checks.js';
import { compileQuery } from '../compiler/query.js';
import { RegoError, RegoParseError } from '../errors/rego-error.js';
import type { EvalContext } from '../evaluator/context.js';
import { EvalContext as Context } from '../evaluator/context.js';
import { evalBody } from '../evaluator/eval-body.js';
import type { RuleSetPlan } from '../evaluator/eval-rules.js';
import type { Frame } from '../evaluator/eval-term.js';
import type { RegoVersion } from '../parser/parser.js';
import { parseModule } from '../parser/parser.js';
import type { Value } from '../value/value.js';
import { TRUE } from '../value/value-builders.js';
import { fromJs, toJs } from '../value/value-json.js';
import { engineCapabilities } from './engine-capabilities.js';
import { KeptRuleValues } from './kept-rule-values.js';
import type { PatternSource } from './pattern-precompile.js';
import { MAX_PRECOMPILED, patternSources, stringsAt } from './pattern-precompile.js';
import { type EngineHostAccess, QueryBuiltinContext } from './query-builtin-context.js';

export interface RegoEngineOptions {
  /** Syntax of modules without `import rego.v1`; default v1. */
  readonly regoVersion?: RegoVersion;
  /** Builtin errors end the query instead of making the call undefined; default false. */
  readonly strictBuiltinErrors?: boolean;
  /** Steps (literal evaluations) one query may take; default 10 million. */
  readonly maxSteps?: number;
  /** Wall-clock budget of one query in milliseconds; default none. */
  readonly timeoutMs?: number;
  /**
   * JSON Schemas of the documents the policy reads, by ref: `input`, or a path under data
   * such as `data.users`. The type checker then rejects references to fields the schema does
   * not allow and builtin calls with operands of the wrong type, as `opa check --schema` does.
   */
  readonly schemas?: Readonly<Record<string, unknown>>;
  /** OPA's compiler strict mode (`opa check --strict`): unused imports and variables, … */
  readonly strict?: boolean;
  /**
   * Hosts `http.send` and `net.lookup_ip_addr` may reach, and the largest response body;
   * network access is off when absent.
   */
  readonly network?: NetworkAccess;
  /**
   * What `opa.runtime()` returns, as JSON-shaped JavaScript: the embedding program's `env`,
   * `version`, `commit`, …; default `{}`.
   */
  readonly runtime?: Readonly<Record<string, unknown>>;
  /** Replaces the builtin registry (mainly for tests). */
  readonly builtins?: ReadonlyMap<string, BuiltinDefinition>;
  /**
   * @internal For tests: false evaluates every term through the general (continuation)
   * path, skipping the quick path's compiled closures, so that the two can be compared.
   * Default true.
   */
  readonly quickPath?: boolean;
}

export interface EvalOptions {
  /** The input document, as JSON-shaped JavaScript. */
  readonly input?: unknown;
  /** The input document as a Rego value (sets, non-string keys); wins over `input`. */
  readonly inputValue?: Value;
  /** Overrides `strictBuiltinErrors` for this query. */
  readonly strict?: boolean;
  /** The query's clock for `time.now_ns`; default the current time. */
  readonly nowNs?: bigint;
  /** Receives each line `print` writes, as it is written. */
  readonly onPrint?: (line: string) => void;
}

export interface QueryResult<V> {
  readonly bindings: Record<string, V>;
  readonly expressions: Array<{ readonly value: V; readonly text: string }>;
}

export interface QueryOutput<V> {
  readonly results: Array<QueryResult<V>>;
  readonly prints: string[];
}

const DEFAULT_MAX_STEPS = 10_000_000;
const MAX_DEPTH = 400;

export class RegoEngine {
  private readonly modules = new Map<string, AstModule>();
  private policy: CompiledPolicy;
  private data: Value = { kind: 'object', entries: new Map() };
  private readonly queries = new Map<string, CompiledQuery>();
  private readonly cache = new Map<string, unknown>();
  private readonly kept = new KeptRuleValues();
  private patterns:
    | { readonly policy: CompiledPolicy; readonly sources: readonly PatternSource[] }
    | undefined;
  /** The rule plans of `plansPolicy`'s evaluations (`Shared.rulePlans`), shared by all of them. */
  private rulePlans: (RuleSetPlan | undefined)[] = [];
  private plansPolicy: CompiledPolicy | undefined;
  /** Whether the current policy and data have had their patterns compiled (`prepare`). */
  private prepared = true;
  private readonly builtins: ReadonlyMap<string, BuiltinDefinition>;
  private readonly regoVersion: RegoVersion;
  private readonly host: EngineHostAccess;

  private readonly checks: PolicyCheckOptions;

  constructor(private readonly options: RegoEngineOptions = {}) {
    this.builtins = options.builtins ?? BUILTINS;
    this.regoVersion = options.regoVersion ?? 'v1';
    this.host = Object.freeze({
      network: options.network,
      runtime: options.runtime === undefined ? undefined : fromJs(options.runtime),
    });
    this.checks = Object.freeze({
      documents: documentTypes(options.schemas ?? {}),
      strict: options.strict ?? false,
    });
    this.policy = compileModules([], this.builtins);
  }

  /** Parses and compiles a module; replaces a module of the same file name. Throws `RegoParseError`/`RegoCompileError`. */
  addModule(fileName: string, source: string): void {
    this.addModules([{ fileName, source }]);
  }

  /** Adds several modules at once, so that they may refer to each other's functions. */
  addModules(modules: ReadonlyArray<{ readonly fileName: string; readonly source: string }>): void {
    const next = new Map(this.modules);
    for (const { fileName, source } of modules) {
      try {
        next.set(fileName, parseModule(fileName, source, this.regoVersion));
      } catch (error) {
        if (error instanceof RangeError && /call stack/i.test(error.message)) {
          throw new RegoParseError('the source nests too deeply to be parsed', {
            file: fileName,
            line: 1,
            column: 1,
          });
        }
        throw error;
      }
    }
    const policy = guardStack('rego_compile_error', () =>
      compileModules([...next.values()], this.builtins, this.checks),
    );
    checkDataConflicts(policy.tree, this.data, (file) => next.get(file)?.source);
    this.policy = policy;
    this.modules.clear();
    for (const [k, v] of next) this.modules.set(k, v);
    this.queries.clear();
    this.prepared = false;
  }

  removeModule(fileName: string): void {
    const next = new Map(this.modules);
    next.delete(fileName);
    this.policy = compileModules([...next.values()], this.builtins, this.checks);
    this.modules.delete(fileName);
    this.queries.clear();
    this.prepared = false;
  }

  /**
   * What this engine offers a policy, in the shape of OPA's capabilities files: builtins with
   * their declared types, future keywords and language features.
   */
  capabilities(): Capabilities {
    return engineCapabilities(this.builtins);
  }

  /**
   * Checks modules as `opa check` does, without adding them: every type error (with this
   * engine's schemas) and, in strict mode, every strict-mode error, sorted by location; a
   * parse or other compile error alone. An empty list when they would compile.
   */
  check(
    modules: ReadonlyArray<{ readonly fileName: string; readonly source: string }>,
  ): RegoError[] {
    const parsed: AstModule[] = [];
    for (const { fileName, source } of modules) {
      try {
        parsed.push(parseModule(fileName, source, this.regoVersion));
      } catch (error) {
        if (error instanceof RegoError) return [error];
        throw error;
      }
    }
    return guardStack('rego_compile_error', () => checkModules(parsed, this.builtins, this.checks));
  }

  /** Sets the base document under `data`, as JSON-shaped JavaScript. */
  setData(data: unknown): void {
    this.setDataValue(fromJs(data));
  }

  /**
   * Sets the base document under `data` as a Rego value. Throws `RegoCompileError` when it
   * defines a path a rule defines (OPA's path conflict), keeping the previous data.
   */
  setDataValue(value: Value): void {
    if (value.kind !== 'object') throw new TypeError('data must be an object');
    checkDataConflicts(this.policy.tree, value, (file) => this.modules.get(file)?.source);
    this.data = value;
    this.prepared = false;
  }

  /**
   * Compiles the policy's regular expressions (`pattern-precompile.ts`): constant patterns,
   * and the strings of the input-free rules a pattern can come from, evaluated over the
   * current data. A rule that fails to evaluate or a string that is no valid pattern is left
   * for queries to meet. Once per policy and data: loading modules and then data (or
   * reloading either) compiles nothing until the first query, which calls this itself, so
   * that no detector's first prompt pays for its pattern. A program that answers users
   * calls it right after loading, so that its first decision does not pay either.
   *
   * @example
   *   engine.addModules(modules);
   *   engine.setData(data);
   *   engine.prepare(); // the patterns now, not in the first decision
   */
  prepare(): void {
    if (this.prepared) return;
    // Before the pass, which evaluates input-free rules through queries of its own.
    this.prepared = true;
    this.precompilePatterns();
  }

  private precompilePatterns(): void {
    const policy = this.policy;
    if (this.patterns?.policy !== policy) {
      const { inputFree } = this.kept.for(policy, this.data, false);
      this.patterns = { policy, sources: patternSources(policy, inputFree) };
    }
    const sources = this.patterns.sources;
    if (sources.length === 0) return;
    const patterns = new Map<string, string>();
    const values = new Map<RuleSet, Value | undefined>();
    for (const source of sources) {
      if ('pattern' in source) {
        patterns.set(source.pattern, source.builtin);
        continue;
      }
      const { ruleSet } = source;
      if (!values.has(ruleSet)) {
        const ref = `data${ruleSet.path.map((p) => `[${JSON.stringify(p)}]`).join('')}`;
        try {
          values.set(ruleSet, this.evalRuleValue(ref));
        } catch {
          values.set(ruleSet, undefined);
        }
      }
      const value = values.get(ruleSet);
      const found = new Set<string>();
      if (value !== undefined) stringsAt(value, source.steps, found);
      for (const s of found) if (!patterns.has(s)) patterns.set(s, source.builtin);
    }
    const context = new QueryBuiltinContext(
      false,
      this.cache,
      Date.now(),
      undefined,
      [],
      undefined,
      this.host,
    );
    let compiled = 0;
    for (const [pattern, builtin] of patterns) {
      if (compiled++ >= MAX_PRECOMPILED) break;
      try {
        // One search, so that V8 compiles the JavaScript expression now too.
        compileRegex(builtin, pattern, context).test('');
      } catch {
        // Not a valid pattern: the query that uses it as one reports it.
      }
    }
  }

  /** Evaluates a query; results as JSON-shaped JavaScript, like OPA's query API. */
  evalQuery(query: string, options: EvalOptions = {}): QueryOutput<unknown> {
    return guardStack('eval_budget_exceeded', () => this.evalQueryJs(query, options));
  }

  private evalQueryJs(query: string, options: EvalOptions): QueryOutput<unknown> {
    const out = this.evalQueryValues(query, options);
    return {
      prints: out.prints,
      results: out.results.map((r) => ({
        bindings: Object.fromEntries(Object.entries(r.bindings).map(([k, v]) => [k, toJs(v)])),
        expressions: r.expressions.map((e) => ({ value: toJs(e.value), text: e.text })),
      })),
    };
  }

  /** Evaluates a ref such as `data.pkg.decision`: its value as JSON-shaped JavaScript, or undefined. */
  evalRule(ref: string, options: EvalOptions = {}): unknown {
    return guardStack('eval_budget_exceeded', () => {
      const value = this.evalRuleValue(ref, options);
      return value === undefined ? undefined : toJs(value);
    });
  }

  evalRuleValue(ref: string, options: EvalOptions = {}): Value | undefined {
    const out = this.evalQueryValues(ref, options);
    return out.results[0]?.expressions[0]?.value;
  }

  /** Evaluates a query, keeping Rego values (sets, non-string keys, exact numbers). */
  evalQueryValues(query: string, options: EvalOptions = {}): QueryOutput<Value> {
    return guardStack('eval_budget_exceeded', () => this.run(query, options));
  }

  private run(query: string, options: EvalOptions): QueryOutput<Value> {
    if (!this.prepared) this.prepare();
    const compiled = this.compiledQuery(query);
    const prints: string[] = [];
    const strict = options.strict ?? this.options.strictBuiltinErrors ?? false;
    // The clock is read once per query, and only if a builtin asks for it.
    const builtinContext = new QueryBuiltinContext(
      strict,
      this.cache,
      Date.now(),
      options.nowNs,
      prints,
      options.onPrint,
      this.host,
    );
    const input =
      options.inputValue ?? (options.input === undefined ? undefined : fromJs(options.input));
    const ctx: EvalContext = new Context(
      {
        policy: this.policy,
        strict,
        quickPath: this.options.quickPath ?? true,
        builtinContext,
        ...this.kept.for(this.policy, this.data, strict),
        rulePlans: this.rulePlansOf(this.policy),
        budget: {
          steps: 0,
          maxSteps: this.options.maxSteps ?? DEFAULT_MAX_STEPS,
          deadline:
            this.options.timeoutMs === undefined ? undefined : Date.now() + this.options.timeoutMs,
          depth: 0,
          maxDepth: MAX_DEPTH,
        },
      },
      input,
      this.data,
      undefined,
      undefined,
    );
    const frame: Frame = new Array(compiled.frameSize);
    const results: QueryResult<Value>[] = [];
    evalBody(ctx, frame, compiled.body, 0, () => {
      const bindings: Record<string, Value> = {};
      for (const b of compiled.bindings) {
        const v = frame[b.slot];
        // Defined, not assigned: a variable named `__proto__` must stay a binding.
        if (v !== undefined)
          Object.defineProperty(bindings, b.name, {
            value: v,
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
      const expressions = compiled.expressions.map((e) => ({
        text: e.text,
        value: e.capture === undefined ? TRUE : (frame[e.capture] ?? TRUE),
      }));
      results.push({ bindings, expressions });
      return false;
    });
    return { results, prints };
  }

  private rulePlansOf(policy: CompiledPolicy): (RuleSetPlan | undefined)[] {
    if (policy !== this.plansPolicy) {
      this.plansPolicy = policy;
      this.rulePlans = new Array(policy.ruleSets.length).fill(undefined);
    }
    return this.rulePlans;
  }

  private compiledQuery(query: string): CompiledQuery {
    let compiled = this.queries.get(query);
    if (compiled === undefined) {
      compiled = compileQuery(query, this.policy, this.builtins, this.regoVersion);
      if (this.queries.size > 1000) this.queries.clear();
      this.queries.set(query, compiled);
    }
    return compiled;
  }
}

/**
 * Turns a JavaScript stack overflow (deeply nested source, input or values) into an engine
 * error, so that a pathological policy or input never escapes as a RangeError.
 */
function guardStack<T>(code: 'rego_compile_error' | 'eval_budget_exceeded', run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      throw new RegoError(
        code,
        code === 'rego_compile_error'
          ? 'the source nests too deeply to be compiled'
          : 'evaluation exceeded the stack depth it may use (nesting too deep)',
      );
    }
    throw error;
  }
}
