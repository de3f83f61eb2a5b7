/**
 * The messages between `WorkerPolicyEngine` and its evaluation threads, in one place so that
 * both sides agree. Everything here crosses a thread boundary by structured clone.
 */
import type { MaskedParts } from '../privacy/entry-masking.js';
import type { DocumentAnswer, DocumentQuery } from './data-document.js';
import type { EmbeddedPolicyBudget } from './embedded-policy-engine.js';
import type { PolicyBundle } from './policy-bundle.js';
import type { PolicyEvaluation, PolicyInput } from './policy-engine.js';

/** What a thread starts from: the bundle its parent read, so every thread runs the same files. */
export interface EvaluationWorkerData extends EmbeddedPolicyBudget {
  readonly bundle: PolicyBundle;
}

/** What a thread is asked to do: the gateway's decision on an input, or any document. */
export type EvaluationJob =
  | { readonly kind: 'decision'; readonly input: PolicyInput }
  | { readonly kind: 'document'; readonly query: DocumentQuery };

/** What a thread answers, of the same kind as its job. */
export type EvaluationJobResult =
  | {
      readonly kind: 'decision';
      readonly evaluation: PolicyEvaluation;
      /**
       * The entry's input and result masked by the thread with the decision's mask
       * (`decided-masking.ts`); absent when the decision had no mask answer.
       */
      readonly masked?: MaskedParts;
    }
  | { readonly kind: 'document'; readonly answer: DocumentAnswer };

/**
 * At most this many queued evaluations go to a thread in one message. Admission lets each
 * thread have this many (`admissionOptions`), so a batch fills only when requests queue; it
 * is kept small because an evaluation waits for the ones before it in its batch.
 */
export const EVALUATION_BATCH_SIZE = 4;

/**
 * Parent → thread: run these jobs one after another, in order; job `i` answers as id
 * `first + i`, each as soon as it is done. One message for several jobs when evaluations
 * queue: a message costs both threads a wake-up and a clone whatever it holds.
 */
export interface EvaluationBatch {
  readonly first: number;
  readonly jobs: readonly EvaluationJob[];
}

/** Thread → parent. */
export type EvaluationWorkerMessage =
  /** The bundle compiled and decided the start-up probe; the thread takes requests. */
  | { readonly type: 'ready' }
  /** The bundle cannot serve; the thread ends. `message` names the file and why. */
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'evaluated'; readonly id: number; readonly result: EvaluationJobResult };
