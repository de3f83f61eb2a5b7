/**
 * When the primary starts a worker again after it died: at once for a first crash, then after
 * a delay that doubles with each crash in the window, and not at all once crashes come so
 * often that restarting only repeats the failure (a crash loop: bad deploy, database gone for
 * good). Then the primary stops every worker and exits non-zero, so that the supervisor
 * (systemd, Kubernetes) sees the failure instead of a gateway that looks alive.
 */

export interface RestartPolicyOptions {
  /** Crashes within `windowMs` after which the primary gives up. Default 5. */
  readonly maxCrashes?: number;
  /** Default one minute. */
  readonly windowMs?: number;
  /** The delay after the second crash in the window; doubled for each later one. Default 250 ms. */
  readonly baseDelayMs?: number;
  /** Default 10 s. */
  readonly maxDelayMs?: number;
}

export type RestartDecision =
  | { readonly restart: true; readonly delayMs: number }
  | { readonly restart: false; readonly crashes: number; readonly windowMs: number };

export class RestartPolicy {
  readonly #maxCrashes: number;
  readonly #windowMs: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  /** When recent crashes happened, oldest first; only those within the window are kept. */
  #crashes: number[] = [];

  constructor(options: RestartPolicyOptions = {}) {
    this.#maxCrashes = options.maxCrashes ?? 5;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#baseDelayMs = options.baseDelayMs ?? 250;
    this.#maxDelayMs = options.maxDelayMs ?? 10_000;
  }

  /** Records a crash at `now` (ms) and says whether, and after how long, to restart. */
  crashed(now: number): RestartDecision {
    this.#crashes = this.#crashes.filter((at) => now - at < this.#windowMs);
    this.#crashes.push(now);
    const recent = this.#crashes.length;
    if (recent >= this.#maxCrashes) {
      return { restart: false, crashes: recent, windowMs: this.#windowMs };
    }
    const delayMs =
      recent === 1 ? 0 : Math.min(this.#baseDelayMs * 2 ** (recent - 2), this.#maxDelayMs);
    return { restart: true, delayMs };
  }
}
