/**
 * One policy evaluation thread seen from the gateway's main thread: started from a bundle,
 * given one batch of jobs at a time (run in order, each answered as soon as it is done), and
 * stopped when one job overruns its limit. A thread that overruns, crashes or runs out of
 * memory ends the job it was running as a failure and is gone; the jobs of its batch it had not
 * started are handed back (`unstarted`) to be run elsewhere, and its owner
 * (`WorkerPolicyEngine`) starts a replacement.
 */
import { Worker } from 'node:worker_threads';
import type {
  EvaluationBatch,
  EvaluationJob,
  EvaluationJobResult,
  EvaluationWorkerData,
  EvaluationWorkerMessage,
} from './evaluation-worker-protocol.js';

// Beside this module in src/ (a shim that registers tsx); in the build, beside the chunk that
// holds this code, the compiled worker (scripts/build.mjs writes every file directly in dist/).
const ENTRY = new URL('./evaluation-worker.mjs', import.meta.url);

export type ThreadOutcome =
  | { readonly kind: 'evaluated'; readonly result: EvaluationJobResult }
  /** The thread is gone: it overran its limit, crashed (out of memory too), or was closed. */
  | { readonly kind: 'lost'; readonly cause: LostCause; readonly reason: string }
  /** The thread was lost before it started this job of its batch: nothing ran, run it again. */
  | { readonly kind: 'unstarted' };

export type LostCause = 'overran' | 'crashed' | 'closed';

export interface EvaluationThreadOptions {
  readonly data: EvaluationWorkerData;
  /** Heap limit of the thread in MiB; Node's default when unset. */
  readonly maxHeapMb?: number;
  /** Called once when the thread ends other than by `terminate()`. */
  readonly onLost: (thread: EvaluationThread) => void;
}

/** What became of job `index` of a batch; called once per job, in job order. */
export type SettleJob = (index: number, outcome: ThreadOutcome) => void;

interface Running {
  /** Id of the batch's first job; job `i` answers as `first + i`. */
  readonly first: number;
  readonly size: number;
  /** Index of the job the thread is running now: every one before it has answered. */
  next: number;
  readonly settle: SettleJob;
  /** Resolves once every job is settled: true when the thread is still there to run more. */
  readonly done: (usable: boolean) => void;
  /** The running job's limit, re-armed as each job starts. */
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
   * Runs `jobs` in order, in one message, and settles each as it answers; resolves once all
   * are settled, with whether the thread can run more. Each job has `limitMs` from the moment
   * the one before it answered: a thread that has not answered its job by then is terminated
   * and that job is `lost` (a builtin call such as a huge `numbers.range` is not interrupted by
   * the evaluator's own time budget, and must not hold the thread for ever); the jobs after it
   * are `unstarted`.
   */
  run(jobs: readonly EvaluationJob[], limitMs: number, settle: SettleJob): Promise<boolean> {
    if (this.#gone) {
      const reason = 'the thread had ended';
      settle(0, { kind: 'lost', cause: 'crashed', reason });
      for (let index = 1; index < jobs.length; index++) settle(index, { kind: 'unstarted' });
      return Promise.resolve(false);
    }
    if (this.#running !== undefined) throw new Error('an evaluation thread runs one batch');
    const first = this.#nextId;
    this.#nextId += jobs.length;
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.#lose('overran', `did not answer within ${limitMs} ms and was stopped`);
        void this.#worker.terminate();
      }, limitMs);
      this.#running = { first, size: jobs.length, next: 0, settle, done, timer };
      const batch: EvaluationBatch = { first, jobs };
      this.#worker.postMessage(batch);
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

  /** An answer of the running job: settles it, and starts the next job's limit or ends. */
  #settle(id: number, outcome: ThreadOutcome): void {
    const running = this.#running;
    if (running === undefined || id !== running.first + running.next) return;
    running.next++;
    if (running.next < running.size) running.timer.refresh();
    else {
      this.#running = undefined;
      clearTimeout(running.timer);
    }
    running.settle(id - running.first, outcome);
    if (this.#running === undefined) running.done(true);
  }

  /** The thread is gone: the running job ends as `outcome`, the ones after it `unstarted`. */
  #finish(outcome: ThreadOutcome): void {
    const running = this.#running;
    if (running === undefined) return;
    this.#running = undefined;
    clearTimeout(running.timer);
    running.settle(running.next, outcome);
    for (let index = running.next + 1; index < running.size; index++) {
      running.settle(index, { kind: 'unstarted' });
    }
    running.done(false);
  }

  /** The thread ended on its own or overran: fail what it was doing and tell the owner, once. */
  #lose(cause: LostCause, reason: string): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#finish({ kind: 'lost', cause, reason });
    this.#onLost(this);
  }
}
