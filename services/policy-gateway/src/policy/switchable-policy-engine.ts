/**
 * A policy engine whose bundle can be replaced while the gateway serves: every call goes to
 * the engine active when it began, and `switchTo` makes another one active at once (an atomic
 * swap of one reference), then closes the previous one once the calls it was serving have
 * ended. Bundle polling (`bundle-poller.ts`) switches only to an engine that has started,
 * that is whose bundle compiled, so a bad bundle never becomes active.
 */
import type { DocumentAnswer, DocumentQuery } from './data-document.js';
import type { PolicyEngine, PolicyEvaluation, PolicyInput } from './policy-engine.js';

export class SwitchablePolicyEngine implements PolicyEngine {
  #current: PolicyEngine;
  /** Calls in flight per engine, so that a replaced engine is closed only once it is idle. */
  readonly #inFlight = new Map<PolicyEngine, number>();
  readonly #idle = new Map<PolicyEngine, () => void>();
  readonly #beforeClose: (() => Promise<void>) | undefined;
  #problem: string | null = null;

  /** `beforeClose`: what must stop before the active engine closes (the poller that switches it). */
  constructor(initial: PolicyEngine, beforeClose?: () => Promise<void>) {
    this.#current = initial;
    this.#beforeClose = beforeClose;
  }

  /** Why the latest bundle was not activated, for `/ready`; none once one is. */
  get warnings(): readonly string[] {
    return this.#problem === null ? [] : [this.#problem];
  }

  reportProblem(problem: string | null): void {
    this.#problem = problem;
  }

  get name(): PolicyEngine['name'] {
    return this.#current.name;
  }

  get policyPath(): string {
    return this.#current.policyPath;
  }

  get policyVersion(): string {
    return this.#current.policyVersion;
  }

  evaluate(input: PolicyInput): Promise<PolicyEvaluation> {
    return this.#using((engine) => engine.evaluate(input));
  }

  queryDocument(query: DocumentQuery): Promise<DocumentAnswer> {
    return this.#using((engine) => engine.queryDocument(query));
  }

  /** Makes `next` active for every call from now on; resolves once the previous one is closed. */
  async switchTo(next: PolicyEngine): Promise<void> {
    const previous = this.#current;
    if (previous === next) return;
    this.#current = next;
    if ((this.#inFlight.get(previous) ?? 0) > 0) {
      await new Promise<void>((resolve) => this.#idle.set(previous, resolve));
    }
    await previous.close();
  }

  async close(): Promise<void> {
    await this.#beforeClose?.();
    await this.#current.close();
  }

  async #using<T>(call: (engine: PolicyEngine) => Promise<T>): Promise<T> {
    const engine = this.#current;
    this.#inFlight.set(engine, (this.#inFlight.get(engine) ?? 0) + 1);
    try {
      return await call(engine);
    } finally {
      const left = (this.#inFlight.get(engine) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(engine, left);
      else {
        this.#inFlight.delete(engine);
        const idle = this.#idle.get(engine);
        this.#idle.delete(engine);
        idle?.();
      }
    }
  }
}
