/**
 * The three ways a call to the gateway fails, as classes the UI branches on: the gateway could
 * not be reached at all, it answered with an RFC 9457 problem, or it answered something unreadable.
 */

/** `fetch` itself failed: nothing listens at the URL, CORS refused, or the network is down. */
export class GatewayUnreachableError extends Error {
  override readonly name = 'GatewayUnreachableError';
  constructor(
    /** The URL that was tried, shown to the person so they can check it. */
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(`The gateway at ${url} could not be reached.`, options);
  }
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
