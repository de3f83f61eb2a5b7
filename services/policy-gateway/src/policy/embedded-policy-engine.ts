/**
 * The `embedded` adapter: evaluates the shipped Rego bundle in-process with `libs/rego`.
 * The bundle is read and compiled once at start (a broken bundle stops start-up with
 * `file:line:col`); each request then runs under a step and time budget, which the evaluator
 * checks as it goes (every 1,024 steps), so a runaway rule ends as decision `error`. A single
 * builtin call is not interrupted: `WorkerPolicyEngine` runs this adapter on worker threads and
 * stops a thread that overruns.
 */
import { fromJs, obj, RegoEngine, str, type Value } from '@policy-gateway/rego';
import { type DocumentAnswer, type DocumentQuery, documentRef } from './data-document.js';
import {
  DECISION_LOG_MASK_PATH,
  decisionLogPath,
  masksWithDecision,
  rememberDecisionLogMask,
} from './decision-log-mask.js';
import { documentErrorOf } from './document-error.js';
import { loadPolicyBundle, type PolicyBundle } from './policy-bundle.js';
import { elapsedMs, errorEvaluation, evaluationFromResult } from './policy-decision.js';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from './policy-engine.js';

export interface EmbeddedPolicyEngineOptions extends EmbeddedPolicyBudget {
  readonly bundleDir: string;
}

/** What an engine over an already loaded bundle needs. */
export interface EmbeddedPolicyBudget {
  /** Dotted data path of the decision document, e.g. `data.policy_gateway.decision`. */
  readonly policyPath: string;
  /** Evaluation steps one request may take before it is stopped (decision `error`). */
  readonly maxSteps?: number;
  /** Wall-clock budget of one request, in milliseconds. */
  readonly timeoutMs?: number;
  /**
   * Evaluate the bundle's `data.system.log.mask` with each decision (`PolicyEvaluation.mask`),
   * for the audit trail's masking; off by default.
   */
  readonly decisionLogMask?: boolean;
  /**
   * Hosts `http.send` and `net.lookup_ip_addr` may reach (`POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS`);
   * unset: the policy reaches no host.
   */
  readonly httpAllowedHosts?: readonly string[];
}

/** Generous for the shipped policy (a 64 KiB prompt stays far below), tight enough to stop a runaway rule. */
const DEFAULT_MAX_STEPS = 1_000_000;
export const DEFAULT_EVALUATION_TIMEOUT_MS = 1_000;

/** What start-up checks a bundle against: the smallest input the gateway can send. */
const PROBE_INPUT: PolicyInput = { prompt: '', user_id: '', context: {} };

/** A bundle that cannot serve: unreadable, not compiling, or not producing a decision. */
export class PolicyStartError extends Error {
  override readonly name = 'PolicyStartError';
}

export class EmbeddedPolicyEngine implements PolicyEngine {
  readonly name = 'embedded' as const;
  readonly policyPath: string;
  /** `sha256:` digest of the bundle's modules and data files (see `bundleDigest`). */
  readonly policyVersion: string;
  readonly #engine: RegoEngine;
  /** Whether each decision is answered with its mask (the bundle has one and it was asked for). */
  readonly #masksWithDecision: boolean;
  readonly #maskPath: string;
  #closed = false;

  private constructor(
    engine: RegoEngine,
    policyPath: string,
    policyVersion: string,
    masksWithDecision: boolean,
  ) {
    this.#engine = engine;
    this.policyPath = policyPath;
    this.policyVersion = policyVersion;
    this.#masksWithDecision = masksWithDecision;
    this.#maskPath = decisionLogPath(policyPath);
  }

  /**
   * Loads and compiles the bundle, then evaluates it once on an empty prompt so that any
   * error the compiler defers to first use surfaces now rather than on the first request.
   */
  static async start(options: EmbeddedPolicyEngineOptions): Promise<EmbeddedPolicyEngine> {
    return EmbeddedPolicyEngine.fromBundle(await loadPolicyBundle(options.bundleDir), options);
  }

  /**
   * Compiles and probes a bundle read earlier, e.g. by the thread that hands it to worker
   * threads, so that every thread evaluates exactly the files its version names.
   */
  static async fromBundle(
    bundle: PolicyBundle,
    options: EmbeddedPolicyBudget,
  ): Promise<EmbeddedPolicyEngine> {
    const engine = compilingEngine(
      bundle,
      () =>
        new RegoEngine({
          // The manifest's rego_version: modules without `import rego.v1` are read in it.
          regoVersion: bundle.manifest.regoVersion,
          // The bundle's JSON Schemas: a module reading a field they do not allow fails here.
          schemas: bundle.schemas,
          maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
          timeoutMs: options.timeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS,
          ...(options.httpAllowedHosts === undefined
            ? {}
            : {
                network: {
                  allowedHosts: options.httpAllowedHosts,
                  configuredBy: 'POLICY_GATEWAY_POLICY_HTTP_ALLOWED_HOSTS',
                  // A call blocks the evaluation: it may not outlast the evaluation's budget.
                  maxTimeoutMs: options.timeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS,
                },
              }),
        }),
    );
    try {
      // All at once: modules call each other's functions, so none compiles alone.
      // Paths relative to the bundle, as OPA names a bundle's files: an evaluation error is
      // recorded and answered to clients, which must not learn where the server keeps its
      // files; start-up errors name the bundle directory beside them.
      engine.addModules(
        bundle.modules.map((module) => ({
          fileName: module.relativePath,
          source: module.content,
        })),
      );
      engine.setData(bundle.data);
    } catch (error) {
      throw new PolicyStartError(
        `policy bundle ${bundle.dir} does not compile: ${messageOf(error)}`,
      );
    }
    const policy = new EmbeddedPolicyEngine(
      engine,
      options.policyPath,
      bundle.version,
      options.decisionLogMask === true && masksWithDecision(bundle),
    );
    const probe = await policy.evaluate(PROBE_INPUT);
    if (probe.decision === 'error') {
      throw new PolicyStartError(`policy bundle ${bundle.dir} cannot decide: ${probe.error}`);
    }
    return policy;
  }

  async evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    const startedAt = performance.now();
    if (this.#closed) {
      return errorEvaluation('the embedded policy engine is closed', {
        policyPath: this.policyPath,
        latencyMs: 0,
      });
    }
    let result: unknown;
    // Converted once: the mask policy's event holds the same input (`#maskOf`).
    let inputValue: Value | undefined;
    try {
      if (this.#masksWithDecision) {
        inputValue = fromJs(input);
        result = this.#engine.evalRule(this.policyPath, { inputValue });
      } else result = this.#engine.evalRule(this.policyPath, { input });
    } catch (error) {
      return errorEvaluation(`evaluating ${this.policyPath} failed: ${messageOf(error)}`, {
        policyPath: this.policyPath,
        latencyMs: elapsedMs(startedAt),
      });
    }
    const evaluation = evaluationFromResult(result, {
      policyPath: this.policyPath,
      latencyMs: elapsedMs(startedAt),
    });
    if (inputValue === undefined) return evaluation;
    // After the decision's latency was taken: masking is the audit trail's cost, not the policy's.
    return rememberDecisionLogMask({ ...evaluation, mask: this.#maskOf(inputValue, result) });
  }

  /**
   * The mask policy's answer for a decision, evaluated as `queryDocument` would with the members
   * of OPA's decision-log event known when it is decided: `path` (the decision's, slash-separated
   * without `data.`), `input` and `result`. The input is the decision's own value, not converted
   * again; the result is converted from its JSON form, as OPA masks the JSON event.
   */
  #maskOf(inputValue: Value, result: unknown): DocumentAnswer {
    return this.#query({ path: DECISION_LOG_MASK_PATH }, () =>
      obj([
        [str('path'), str(this.#maskPath)],
        [str('input'), inputValue],
        [str('result'), fromJs(result ?? null)],
      ] satisfies [Value, Value][]),
    );
  }

  async queryDocument(query: DocumentQuery): Promise<DocumentAnswer> {
    if (this.#closed) {
      return {
        kind: 'error',
        error: { code: 'internal_error', message: 'the embedded policy engine is closed' },
        latencyMs: 0,
      };
    }
    return this.#query(query);
  }

  /** Answers `query`; `inputValue`, when given, makes its input (already a Rego value). */
  #query(query: DocumentQuery, inputValue?: () => Value): DocumentAnswer {
    const startedAt = performance.now();
    try {
      const input =
        inputValue !== undefined ? { inputValue: inputValue() } : { input: query.input };
      const result = this.#engine.evalRule(documentRef(query.path), {
        ...input,
        ...(query.strictBuiltinErrors === undefined ? {} : { strict: query.strictBuiltinErrors }),
      });
      const latencyMs = elapsedMs(startedAt);
      return result === undefined
        ? { kind: 'undefined', latencyMs }
        : { kind: 'defined', result, latencyMs };
    } catch (error) {
      return { kind: 'error', error: documentErrorOf(error), latencyMs: elapsedMs(startedAt) };
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Builds the bundle's engine; a schema it cannot read fails start-up like a module does. */
function compilingEngine(bundle: PolicyBundle, build: () => RegoEngine): RegoEngine {
  try {
    return build();
  } catch (error) {
    throw new PolicyStartError(`policy bundle ${bundle.dir} does not compile: ${messageOf(error)}`);
  }
}
