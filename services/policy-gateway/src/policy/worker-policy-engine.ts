/**
 * The `embedded` engine on worker threads: the gateway's main thread only parses, records
 * and answers, while evaluations run on a fixed number of threads, each with the embedded
 * engine over the same bundle. However long an evaluation takes, `/health`, `/ready` and
 * every other request keep being served. Each evaluation has a time budget: the evaluator
 * stops a runaway rule itself (decision `error`), and a thread that has not answered shortly
 * after its budget (a long builtin call) is terminated and replaced, the evaluation `error`.
 *
 * Evaluations that queue go to a free thread together, up to `EVALUATION_BATCH_SIZE` in one
 * message: the hop to a thread (a wake-up and a structured clone on each side) cost the main
 * thread more than the gateway's whole evaluation of an ordinary prompt. A lone evaluation
 * goes at once, alone; an evaluation's time budget starts when its thread starts it.
 */
import { rememberDecidedMasking } from '../privacy/decided-masking.js';
import type { DocumentAnswer, DocumentQuery } from './data-document.js';
import { rememberDecisionLogMask } from './decision-log-mask.js';
import { DEFAULT_EVALUATION_TIMEOUT_MS, PolicyStartError } from './embedded-policy-engine.js';
import {
  EvaluationThread,
  EvaluationThreadStartError,
  type ThreadOutcome,
} from './evaluation-thread.js';
import {
  EVALUATION_BATCH_SIZE,
  type EvaluationJob,
  type EvaluationWorkerData,
} from './evaluation-worker-protocol.js';
import { loadPolicyBundle } from './policy-bundle.js';
import { elapsedMs, errorEvaluation } from './policy-decision.js';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from './policy-engine.js';

export interface WorkerPolicyEngineOptions {
  readonly bundleDir: string;
  /** Dotted data path of the decision document, e.g. `data.policy_gateway.decision`. */
  readonly policyPath: string;
  /** Evaluation threads (at least 1). */
  readonly threads: number;
  /** Time budget of one evaluation in milliseconds (default 1000). */
  readonly timeoutMs?: number;
  /** Evaluation steps one request may take (the embedded engine's default when unset). */
  readonly maxSteps?: number;
  /** Heap limit of each thread in MiB; a thread that exceeds it is replaced. Node's default when unset. */
  readonly maxHeapMb?: number;
  /** Evaluate the bundle's mask policy with each decision, on its thread (`decision-log-mask.ts`). */
  readonly decisionLogMask?: boolean;
  /** Hosts the policy's `http.send` and `net.lookup_ip_addr` may reach; unset: none. */
  readonly httpAllowedHosts?: readonly string[];
}

/** What became of a job: never `unstarted`, which puts the job back in the queue. */
type Settled = Exclude<ThreadOutcome, { readonly kind: 'unstarted' }>;

interface Waiting {
  readonly job: EvaluationJob;
  readonly queuedAt: number;
  /** Called once with what became of the job; `startedAt` is when a thread took it. */
  readonly settle: (outcome: Settled, startedAt: number) => void;
}

/** How long to wait before starting a replacement thread again after one failed to start. */
const RESTART_DELAY_MS = 1_000;

/**
 * How long past its budget a thread may stay silent before it is stopped. The evaluator checks
 * the budget every 1,024 steps, so a rule ends well within this; only a long builtin call or
 * a machine too busy to schedule the thread reaches it.
 */
export function overrunGraceMs(timeoutMs: number): number {
  return Math.max(250, Math.round(timeoutMs / 2));
}

export class WorkerPolicyEngine implements PolicyEngine {
  readonly name = 'embedded' as const;
  readonly policyPath: string;
  /** `sha256:` digest of the bundle every thread compiled. */
  readonly policyVersion: string;
  readonly #data: EvaluationWorkerData;
  readonly #maxHeapMb: number | undefined;
  readonly #limitMs: number;
  readonly #timeoutMs: number;
  readonly #idle: EvaluationThread[] = [];
  readonly #threads = new Set<EvaluationThread>();
  readonly #starting = new Set<Promise<void>>();
  readonly #waiting: Waiting[] = [];
  #replaced = 0;
  #closed = false;

  private constructor(options: WorkerPolicyEngineOptions, data: EvaluationWorkerData) {
    this.policyPath = options.policyPath;
    this.policyVersion = data.bundle.version;
    this.#data = data;
    this.#maxHeapMb = options.maxHeapMb;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS;
    this.#limitMs = this.#timeoutMs + overrunGraceMs(this.#timeoutMs);
  }

  /**
   * Reads the bundle once, then starts every thread on it; rejects (with no thread left
   * running) when the bundle cannot serve, naming `file:line:col` as the in-process engine does.
   *
   * @example
   * const engine = await WorkerPolicyEngine.start({ bundleDir, policyPath, threads: 2 });
   */
  static async start(options: WorkerPolicyEngineOptions): Promise<WorkerPolicyEngine> {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new Error(`evaluation threads must be a positive integer, got ${options.threads}`);
    }
    const bundle = await loadPolicyBundle(options.bundleDir);
    const engine = new WorkerPolicyEngine(options, {
      bundle,
      policyPath: options.policyPath,
      timeoutMs: options.timeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS,
      ...(options.maxSteps === undefined ? {} : { maxSteps: options.maxSteps }),
      ...(options.decisionLogMask === undefined
        ? {}
        : { decisionLogMask: options.decisionLogMask }),
      ...(options.httpAllowedHosts === undefined
        ? {}
        : { httpAllowedHosts: options.httpAllowedHosts }),
    });
    const started = await Promise.allSettled(
      Array.from({ length: options.threads }, () => engine.#startThread()),
    );
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      await engine.close();
      const error: unknown = failure.reason;
      if (error instanceof EvaluationThreadStartError) throw new PolicyStartError(error.message);
      throw error;
    }
    for (const result of started) {
      if (result.status === 'fulfilled') engine.#release(result.value);
    }
    return engine;
  }

  /** Threads stopped or lost (overrun, crash, out of memory) and replaced since start. */
  get replacedThreads(): number {
    return this.#replaced;
  }

  /** Evaluations waiting for a free thread. */
  get waiting(): number {
    return this.#waiting.length;
  }

  evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    if (this.#closed) {
      return Promise.resolve(
        errorEvaluation('the embedded policy engine is closed', {
          policyPath: this.policyPath,
          latencyMs: 0,
        }),
      );
    }
    return new Promise((resolve) => {
      this.#waiting.push({
        job: { kind: 'decision', input },
        queuedAt: performance.now(),
        settle: (outcome, startedAt) => resolve(this.#evaluationOf(input, outcome, startedAt)),
      });
      this.#dispatch();
    });
  }

  queryDocument(query: DocumentQuery): Promise<DocumentAnswer> {
    if (this.#closed) {
      return Promise.resolve({
        kind: 'error',
        error: { code: 'internal_error', message: 'the embedded policy engine is closed' },
        latencyMs: 0,
      });
    }
    return new Promise((resolve) => {
      this.#waiting.push({
        job: { kind: 'document', query },
        queuedAt: performance.now(),
        settle: (outcome, startedAt) => resolve(this.#answerOf(outcome, startedAt)),
      });
      this.#dispatch();
    });
  }

  /** Fails the evaluations still waiting, stops every thread and resolves once all have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiting of this.#waiting.splice(0)) {
      waiting.settle(
        { kind: 'lost', cause: 'closed', reason: 'the policy engine was closed before it ran' },
        waiting.queuedAt,
      );
    }
    await Promise.allSettled(this.#starting);
    await Promise.allSettled([...this.#threads].map((thread) => thread.terminate()));
    this.#threads.clear();
    this.#idle.length = 0;
  }

  #dispatch(): void {
    while (this.#waiting.length > 0 && this.#idle.length > 0) {
      const thread = this.#idle.pop()!;
      // Shared fairly: with more threads idle, each takes its part of the queue.
      const share = Math.ceil(this.#waiting.length / (this.#idle.length + 1));
      const batch = this.#waiting.splice(0, Math.min(EVALUATION_BATCH_SIZE, share));
      const startedAt = performance.now();
      const unstarted: Waiting[] = [];
      const jobs = batch.map((waiting) => waiting.job);
      void thread
        .run(jobs, this.#limitMs, (index, outcome) => {
          const waiting = batch[index]!;
          if (outcome.kind === 'unstarted') unstarted.push(waiting);
          else waiting.settle(outcome, startedAt);
        })
        .then((usable) => {
          // Not run because the thread before them was lost: first in line for the next one.
          if (this.#closed) {
            for (const waiting of unstarted) {
              const reason = 'the policy engine was closed before it ran';
              waiting.settle({ kind: 'lost', cause: 'closed', reason }, waiting.queuedAt);
            }
          } else this.#waiting.unshift(...unstarted);
          if (usable) this.#release(thread);
          else this.#dispatch();
        });
    }
  }

  #evaluationOf(input: PolicyInput, outcome: Settled, startedAt: number): PolicyEvaluation {
    if (outcome.kind === 'evaluated') {
      // Remembered here: what the thread remembered stayed on the thread.
      if (outcome.result.kind === 'decision') {
        const { evaluation, masked } = outcome.result;
        if (masked !== undefined) rememberDecidedMasking(evaluation.result, input, masked);
        return rememberDecisionLogMask(evaluation);
      }
      throw new Error('an evaluation thread answered a decision with a document');
    }
    const facts = { policyPath: this.policyPath, latencyMs: elapsedMs(startedAt) };
    return errorEvaluation(this.#lostReason(outcome, this.policyPath), facts);
  }

  #answerOf(outcome: Settled, startedAt: number): DocumentAnswer {
    if (outcome.kind === 'evaluated') {
      if (outcome.result.kind === 'document') return outcome.result.answer;
      throw new Error('an evaluation thread answered a document with a decision');
    }
    return {
      kind: 'error',
      error: { code: 'internal_error', message: this.#lostReason(outcome, 'the document') },
      latencyMs: elapsedMs(startedAt),
    };
  }

  #lostReason(outcome: Extract<ThreadOutcome, { kind: 'lost' }>, what: string): string {
    switch (outcome.cause) {
      case 'overran':
        return `evaluating ${what} did not finish within its time budget of ${this.#timeoutMs} ms: its thread ${outcome.reason}; the thread was replaced`;
      case 'crashed':
        return `the thread evaluating ${what} failed (${outcome.reason}); the thread was replaced`;
      case 'closed':
        return `evaluating ${what} was cut short: ${outcome.reason}`;
    }
  }

  #release(thread: EvaluationThread): void {
    if (this.#closed) {
      void thread.terminate();
      return;
    }
    this.#idle.push(thread);
    this.#dispatch();
  }

  /** Starts one thread and tracks it; the promise settles when it is ready or cannot start. */
  #startThread(): Promise<EvaluationThread> {
    const thread = EvaluationThread.start({
      data: this.#data,
      ...(this.#maxHeapMb === undefined ? {} : { maxHeapMb: this.#maxHeapMb }),
      onLost: (lost) => this.#replace(lost),
    });
    const tracked = thread.then(
      (started) => {
        this.#threads.add(started);
      },
      () => {},
    );
    this.#starting.add(tracked);
    void tracked.finally(() => this.#starting.delete(tracked));
    return thread;
  }

  #replace(lost: EvaluationThread): void {
    this.#threads.delete(lost);
    const at = this.#idle.indexOf(lost);
    if (at !== -1) this.#idle.splice(at, 1);
    if (this.#closed) return;
    this.#replaced++;
    this.#startThread().then(
      (thread) => this.#release(thread),
      () => {
        // The same bundle started before, so this is a passing shortage (memory, a busy
        // machine): try again shortly rather than give up a thread for good.
        const retry = setTimeout(() => {
          if (!this.#closed) this.#replace(lost);
        }, RESTART_DELAY_MS);
        retry.unref();
        this.#replaced--;
      },
    );
  }
}
