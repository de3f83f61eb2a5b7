/**
 * Queries of any document of the policy's data tree, as OPA's Data API asks them
 * (`POST /v1/data/<path>`): the path, the input, and the answer — the document's value,
 * `undefined`, or why it could not be evaluated. Every engine answers these besides the
 * gateway's own decision (`PolicyEngine.queryDocument`).
 */

/** One Data API query. */
export interface DocumentQuery {
  /** The path below `data`, one segment per element: `["authz", "allow"]` is `data.authz.allow`. */
  readonly path: readonly string[];
  /** The input document; absent when the caller sent none. */
  readonly input?: unknown;
  /** A builtin error ends the query as an error instead of making the call undefined. */
  readonly strictBuiltinErrors?: boolean;
}

/** Why a document could not be evaluated; `code` is OPA's (or the engine's) error code. */
export interface DocumentError {
  readonly code: string;
  readonly message: string;
  /** Where in the policy, when the engine knows (`file` relative to the bundle). */
  readonly location?: { readonly file: string; readonly row: number; readonly col: number };
}

export type DocumentAnswer =
  | {
      readonly kind: 'defined';
      /** The document's value (JSON). */
      readonly result: unknown;
      readonly latencyMs: number;
    }
  | { readonly kind: 'undefined'; readonly latencyMs: number }
  | { readonly kind: 'error'; readonly error: DocumentError; readonly latencyMs: number };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The Rego reference of a path: identifiers dotted, other segments as quoted keys.
 *
 * @example
 * documentRef(['users', 'alice-1', 'roles']); // 'data.users["alice-1"].roles'
 */
export function documentRef(path: readonly string[]): string {
  let ref = 'data';
  for (const segment of path) {
    ref += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return ref;
}
