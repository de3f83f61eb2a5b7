/**
 * Admission control for evaluations: at most `concurrency` run at once (the engine's
 * threads), at most `queueLimit` wait for a turn, and one client (address) has at most
 * `perClientLimit` running or waiting. Waiting evaluations get their turn round-robin across
 * clients, not first come first served, so that a client with many evaluations queued delays
 * another client's by at most one evaluation per busy client. Beyond the limits an evaluation
 * is refused at once (the route answers 503 with `Retry-After`): the gateway sheds load it
 * cannot serve in time instead of queueing it without bound.
 */

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
 * The admission options for an engine: the embedded engine runs as many evaluations at once
 * as it has threads (one when it evaluates on the main thread) and queues `queueLimit` more;
 * OPA's queries cost the gateway no CPU, so up to `queueLimit` of them run at once.
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
        concurrency: Math.max(1, limits.workers),
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
  #waitingTotal = 0;
  /** Turns waiting, per client; the Map's order is the round-robin order. */
  readonly #waiting = new Map<string, Array<() => void>>();
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
    return this.#waitingTotal;
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
    if (this.#running >= concurrency && this.#waitingTotal >= queueLimit) {
      return {
        refused: true,
        limit: 'queue',
        detail: `${queueLimit} evaluations are already waiting for the policy engine, the limit (POLICY_GATEWAY_EVAL_QUEUE_LIMIT); nothing was evaluated or recorded, retry after the Retry-After delay or against another replica`,
      };
    }
    return undefined;
  }

  /**
   * Admits an evaluation for `client` or refuses it at once.
   *
   * @example
   * const admitted = admission.admit(request.ip);
   * if (admitted.refused) return refusals.refuse(reply, admitted);
   * const evaluation = await admitted.run(() => engine.evaluate(input));
   */
  admit(client: string): Admitted | Refusal {
    const refusal = this.refusal(client);
    if (refusal !== undefined) return refusal;
    this.#perClient.set(client, (this.#perClient.get(client) ?? 0) + 1);
    let turn: Promise<void>;
    if (this.#running < this.#options.concurrency) {
      this.#running++;
      turn = Promise.resolve();
    } else {
      this.#waitingTotal++;
      turn = new Promise((resolve) => {
        const queue = this.#waiting.get(client);
        if (queue === undefined) this.#waiting.set(client, [resolve]);
        else queue.push(resolve);
      });
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

  /** Gives the turn to the client first in round-robin order, which then moves to the back. */
  #release(client: string): void {
    const count = (this.#perClient.get(client) ?? 1) - 1;
    if (count === 0) this.#perClient.delete(client);
    else this.#perClient.set(client, count);
    const next = this.#waiting.entries().next();
    if (next.done === true) {
      this.#running--;
      return;
    }
    const [nextClient, queue] = next.value;
    const wake = queue.shift()!;
    this.#waiting.delete(nextClient);
    if (queue.length > 0) this.#waiting.set(nextClient, queue);
    this.#waitingTotal--;
    wake();
  }
}
