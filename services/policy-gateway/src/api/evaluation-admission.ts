/**
 * Admission control for evaluations: at most `concurrency` run at once (the engine's
 * threads, a batch each), at most `queueLimit` wait for a turn, and one client (address) has at most
 * `perClientLimit` running or waiting. Waiting evaluations get their turn by fair queueing
 * across clients, weighted by cost (`evaluationCost`), not first come first served: an ordinary
 * prompt waits for about one batch of evaluations in progress, however many long ones other clients have
 * queued. Beyond the limits an evaluation is refused at once (the route answers 503 with
 * `Retry-After`): the gateway sheds load it cannot serve in time instead of queueing it
 * without bound.
 */
import { EVALUATION_BATCH_SIZE } from '../policy/evaluation-worker-protocol.js';
import { FairQueue } from './fair-queue.js';

/**
 * What an evaluation costs, for fair queueing: the shipped policy's work grows with the prompt's
 * length (its scans are linear), plus a fixed part for everything else it does.
 */
export function evaluationCost(prompt: string): number {
  return 1_024 + prompt.length;
}

export interface EvaluationAdmissionOptions {
  /** Evaluations that run at once; the rest wait for a turn. */
  readonly concurrency: number;
  /** Evaluations that may wait for a turn; one more is refused. */
  readonly queueLimit: number;
  /** Evaluations one client may have running or waiting; one more is refused. */
  readonly perClientLimit: number;
}

/** The limits that are settings (`POLICY_GATEWAY_EVAL_*`). */
export interface EvaluationLimits {
  readonly workers: number;
  readonly queueLimit: number;
  readonly perClientLimit: number;
}

/**
 * The admission options for an engine: the embedded engine on threads is given one batch per
 * thread at once (`EVALUATION_BATCH_SIZE` evaluations each, so that evaluations that queue
 * share a message to their thread), one evaluation when it evaluates on the main thread, and
 * `queueLimit` more wait; OPA's queries cost the gateway no CPU, so up to `queueLimit` of them
 * run at once.
 */
export function admissionOptions(
  engine: 'embedded' | 'opa',
  limits: EvaluationLimits,
): EvaluationAdmissionOptions {
  return engine === 'opa'
    ? {
        concurrency: Math.max(1, limits.queueLimit),
        queueLimit: 0,
        perClientLimit: limits.perClientLimit,
      }
    : {
        concurrency: limits.workers < 1 ? 1 : limits.workers * EVALUATION_BATCH_SIZE,
        queueLimit: limits.queueLimit,
        perClientLimit: limits.perClientLimit,
      };
}

/** Why an evaluation was refused; nothing was evaluated. */
export interface Refusal {
  readonly refused: true;
  /** `client`: this client is at its limit; `queue`: the queue is full. */
  readonly limit: 'client' | 'queue';
  readonly detail: string;
}

/** An admitted evaluation: `run` waits for its turn, runs the work, then gives the turn back. */
export interface Admitted {
  readonly refused: false;
  run<T>(work: () => Promise<T>): Promise<T>;
}

export class EvaluationAdmission {
  readonly #options: EvaluationAdmissionOptions;
  #running = 0;
  /** Turns waiting, in fair order. */
  readonly #waiting = new FairQueue<() => void>();
  /** Evaluations running or waiting, per client. */
  readonly #perClient = new Map<string, number>();

  constructor(options: EvaluationAdmissionOptions) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < (name === 'queueLimit' ? 0 : 1)) {
        throw new Error(`evaluation admission: ${name} must be a positive integer, got ${value}`);
      }
    }
    this.#options = { ...options };
  }

  /** Evaluations running now. */
  get running(): number {
    return this.#running;
  }

  /** Evaluations waiting for a turn. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** The refusal `admit(client)` would give now, if any; admits nothing. */
  refusal(client: string): Refusal | undefined {
    const { perClientLimit, concurrency, queueLimit } = this.#options;
    if ((this.#perClient.get(client) ?? 0) >= perClientLimit) {
      return {
        refused: true,
        limit: 'client',
        detail: `this client already has ${perClientLimit} evaluations running or waiting, its limit (POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT); nothing was evaluated or recorded, retry after the Retry-After delay`,
      };
    }
    if (this.#running >= concurrency && this.#waiting.size >= queueLimit) {
      return {
        refused: true,
        limit: 'queue',
        detail: `${queueLimit} evaluations are already waiting for the policy engine, the limit (POLICY_GATEWAY_EVAL_QUEUE_LIMIT); nothing was evaluated or recorded, retry after the Retry-After delay or against another replica`,
      };
    }
    return undefined;
  }

  /**
   * Admits an evaluation of `cost` for `client` or refuses it at once.
   *
   * @example
   * const admitted = admission.admit(request.ip, evaluationCost(input.prompt));
   * if (admitted.refused) return refusals.refuse(reply, admitted);
   * const evaluation = await admitted.run(() => engine.evaluate(input));
   */
  admit(client: string, cost = 1): Admitted | Refusal {
    const refusal = this.refusal(client);
    if (refusal !== undefined) return refusal;
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    const tag = this.#waiting.tag(client, cost);
    let turn: Promise<void>;
    if (this.#running < this.#options.concurrency) {
      this.#running++;
      this.#waiting.started(tag);
      turn = Promise.resolve();
    } else {
      turn = new Promise((resolve) => this.#waiting.push(tag, resolve));
    }
    return {
      refused: false,
      run: async (work) => {
        await turn;
        try {
          return await work();
        } finally {
          this.#release(client);
        }
      },
    };
  }

  /** Gives the turn to the waiting evaluation that fair queueing puts first. */
  #release(client: string): void {
    const count = (this.#perClient.get(client) ?? 1) - 1;
    if (count === 0) {
      this.#perClient.delete(client);
      this.#waiting.forget(client);
    } else {
      this.#perClient.set(client, count);
    }
    const wake = this.#waiting.pop();
    if (wake === undefined) this.#running--;
    else wake();
  }
}
