/**
 * The HTTP side of evaluation admission: a refused evaluation is answered `503
 * TOO_MANY_EVALUATIONS` with `Retry-After`, and is not recorded, since no decision was made
 * (like a `413`). `early` refuses before the body is even read, so that a client flooding the
 * gateway costs it as little as possible; the route admits for real afterwards.
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { EvaluationAdmission, Refusal } from './evaluation-admission.js';
import { ApiProblem, sendProblem } from './problem.js';

/** Long enough for a turn to come free (an evaluation takes milliseconds), short for a caller. */
export const RETRY_AFTER_SECONDS = 1;

/** How often, at most, refusals are summed up in the log. */
const LOG_WINDOW_MS = 1_000;

export class EvaluationRefusals {
  readonly #log: FastifyBaseLogger;
  readonly #counts = { client: 0, queue: 0 };
  #window: NodeJS.Timeout | undefined;

  constructor(log: FastifyBaseLogger) {
    this.#log = log;
  }

  /**
   * Answers a refused evaluation. Every refusal is counted, and the counts are logged as one
   * warning per second at most: a client flooding the gateway must not flood its log too (each
   * request still has its own line, with its 503, from Fastify's request log).
   */
  refuse(reply: FastifyReply, refusal: Refusal): FastifyReply {
    this.#count(refusal);
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return sendProblem(reply, new ApiProblem('TOO_MANY_EVALUATIONS', refusal.detail));
  }

  /** An `onRequest` hook for the evaluate route: refuses what admission would refuse now. */
  early(
    admission: EvaluationAdmission,
  ): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
    return async (request, reply) => {
      const refusal = admission.refusal(request.ip);
      return refusal === undefined ? undefined : this.refuse(reply, refusal);
    };
  }

  #count(refusal: Refusal): void {
    this.#counts[refusal.limit]++;
    if (this.#window !== undefined) return;
    this.#log.warn({ limit: refusal.limit }, `evaluation refused: ${refusal.detail}`);
    this.#counts[refusal.limit]--;
    this.#window = setTimeout(() => this.#flush(), LOG_WINDOW_MS);
    // Logging must not keep a process alive that has nothing else to do.
    this.#window.unref();
  }

  #flush(): void {
    this.#window = undefined;
    const { client, queue } = this.#counts;
    if (client + queue === 0) return;
    this.#log.warn(
      { refused: { client, queue } },
      `${client + queue} more evaluations refused in the last second: ${client} over their client's limit (POLICY_GATEWAY_EVAL_PER_CLIENT_LIMIT), ${queue} with the queue full (POLICY_GATEWAY_EVAL_QUEUE_LIMIT)`,
    );
    this.#counts.client = 0;
    this.#counts.queue = 0;
    this.#window = setTimeout(() => this.#flush(), LOG_WINDOW_MS);
    this.#window.unref();
  }
}
