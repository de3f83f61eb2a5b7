/**
 * The three ways a call to the gateway fails, as classes the UI branches on: the gateway could
 * not be reached at all, it answered with an RFC 9457 problem, or it answered something unreadable.
 */

/**
 * The gateway could not be reached: `fetch` itself failed (nothing listens at the URL, CORS
 * refused, the network is down), or the Workbench's own server answered that it could not reach
 * the gateway behind it (`viaProxy`).
 */
export class GatewayUnreachableError extends Error {
  override readonly name = 'GatewayUnreachableError';
  constructor(
    /** The URL that was tried, shown to the person so they can check it. */
    readonly url: string,
    options?: { cause?: unknown; viaProxy?: boolean },
  ) {
    super(`The gateway at ${url} could not be reached.`, options);
    this.viaProxy = options?.viaProxy ?? false;
  }

  /** True when the Workbench's server tried `url` on the browser's behalf. */
  readonly viaProxy: boolean;
}

/** The gateway answered with an error status; `detail` is the sentence to show. */
export class GatewayProblemError extends Error {
  override readonly name = 'GatewayProblemError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string | null,
  ) {
    super(detail || title);
  }
}

/** The gateway answered 2xx with a body that does not match the contract. */
export class GatewayResponseError extends Error {
  override readonly name = 'GatewayResponseError';
}
