/**
 * One policy evaluation thread seen from the gateway's main thread: started from a bundle,
 * given one evaluation at a time, and stopped when it overruns its limit. A thread that
 * overruns, crashes or runs out of memory ends its evaluation as a failure and is gone; its
 * owner (`WorkerPolicyEngine`) starts a replacement.
 */
import { Worker } from 'node:worker_threads';
import type {
  EvaluationJob,
  EvaluationJobResult,
  EvaluationRequest,
  EvaluationWorkerData,
  EvaluationWorkerMessage,
} from './evaluation-worker-protocol.js';

// Beside this module in src/ (a shim that registers tsx); in the build, beside the chunk that
// holds this code, the compiled worker (scripts/build.mjs writes every file directly in dist/).
const ENTRY = new URL('./evaluation-worker.mjs', import.meta.url);

export type ThreadOutcome =
  | { readonly kind: 'evaluated'; readonly result: EvaluationJobResult }
  /** The thread is gone: it overran its limit, crashed (out of memory too), or was closed. */
  | { readonly kind: 'lost'; readonly cause: LostCause; readonly reason: string };

export type LostCause = 'overran' | 'crashed' | 'closed';

export interface EvaluationThreadOptions {
  readonly data: EvaluationWorkerData;
  /** Heap limit of the thread in MiB; Node's default when unset. */
  readonly maxHeapMb?: number;
  /** Called once when the thread ends other than by `terminate()`. */
  readonly onLost: (thread: EvaluationThread) => void;
}

interface Running {
  readonly id: number;
  readonly resolve: (outcome: ThreadOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** Thrown by `start` when the bundle cannot serve; the message names the file and why. */
export class EvaluationThreadStartError extends Error {
  override readonly name = 'EvaluationThreadStartError';
}

export class EvaluationThread {
  readonly #worker: Worker;
  readonly #onLost: (thread: EvaluationThread) => void;
  #running: Running | undefined;
  #nextId = 0;
  #gone = false;
  /** Why the thread died, when an `error` event said so before `exit`. */
  #crash: string | undefined;

  private constructor(worker: Worker, onLost: (thread: EvaluationThread) => void) {
    this.#worker = worker;
    this.#onLost = onLost;
  }

  /** Starts a thread and resolves once its bundle compiled; rejects when it cannot serve. */
  static start(options: EvaluationThreadOptions): Promise<EvaluationThread> {
    const worker = new Worker(ENTRY, {
      workerData: options.data,
      ...(options.maxHeapMb === undefined
        ? {}
        : { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } }),
    });
    const thread = new EvaluationThread(worker, options.onLost);
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (message: EvaluationWorkerMessage) => {
        if (message.type === 'ready') {
          started = true;
          resolve(thread);
        } else if (message.type === 'failed') {
          reject(new EvaluationThreadStartError(message.message));
        } else {
          thread.#settle(message.id, { kind: 'evaluated', result: message.result });
        }
      });
      worker.on('error', (error: NodeJS.ErrnoException) => {
        thread.#crash =
          error.code === undefined ? error.message : `${error.code}: ${error.message}`;
      });
      worker.on('exit', (code) => {
        const reason = thread.#crash ?? `the thread exited with code ${code}`;
        if (!started) {
          reject(new EvaluationThreadStartError(`the evaluation thread did not start: ${reason}`));
          return;
        }
        thread.#lose('crashed', reason);
      });
    });
  }

  get busy(): boolean {
    return this.#running !== undefined;
  }

  /**
   * Runs `job`; a thread that has not answered within `limitMs` is terminated and the
   * outcome is `lost` (a builtin call such as a huge `numbers.range` is not interrupted by the
   * evaluator's own time budget, and must not hold the thread for ever).
   */
  run(job: EvaluationJob, limitMs: number): Promise<ThreadOutcome> {
    if (this.#gone) {
      return Promise.resolve({ kind: 'lost', cause: 'crashed', reason: 'the thread had ended' });
    }
    if (this.#running !== undefined) throw new Error('an evaluation thread runs one evaluation');
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#lose('overran', `did not answer within ${limitMs} ms and was stopped`);
        void this.#worker.terminate();
      }, limitMs);
      this.#running = { id, resolve, timer };
      const request: EvaluationRequest = { id, job };
      this.#worker.postMessage(request);
    });
  }

  /** Stops the thread; an evaluation in progress ends as `lost`. Resolves once it has exited. */
  async terminate(): Promise<void> {
    if (!this.#gone) {
      this.#gone = true;
      this.#finish({ kind: 'lost', cause: 'closed', reason: 'the policy engine was closed' });
    }
    await this.#worker.terminate();
  }

  #settle(id: number, outcome: ThreadOutcome): void {
    if (this.#running?.id === id) this.#finish(outcome);
  }

  #finish(outcome: ThreadOutcome): void {
    const running = this.#running;
    if (running === undefined) return;
    this.#running = undefined;
    clearTimeout(running.timer);
    running.resolve(outcome);
  }

  /** The thread ended on its own or overran: fail what it was doing and tell the owner, once. */
  #lose(cause: LostCause, reason: string): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#finish({ kind: 'lost', cause, reason });
    this.#onLost(this);
  }
}
