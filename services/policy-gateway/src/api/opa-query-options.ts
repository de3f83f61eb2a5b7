/**
 * The query parameters OPA's Data API reads (`pretty`, `provenance`, `metrics`, `instrument`,
 * `strict-builtin-errors`, `explain`), read the way OPA reads them: a flag is on when present
 * without a value or with `true` (any case) among its values; parameters OPA does not know
 * are ignored, as OPA ignores them. `explain` is refused (the gateway has no tracer) unless
 * `off`.
 */
import { OpaApiError } from './opa-error-body.js';

export interface OpaQueryOptions {
  readonly pretty: boolean;
  readonly provenance: boolean;
  /** `metrics` or `instrument`: the answer carries timings. */
  readonly metrics: boolean;
  readonly strictBuiltinErrors: boolean;
}

/** The raw query string as Fastify's parser gives it (a repeated name becomes an array). */
export type RawQuery = Readonly<Record<string, string | readonly string[] | undefined>>;

function values(query: RawQuery, name: string): readonly string[] | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  return typeof raw === 'string' ? [raw] : raw;
}

/** OPA's `getBoolParam`. */
export function flag(query: RawQuery, name: string): boolean {
  const given = values(query, name);
  if (given === undefined) return false;
  if (given.length === 1 && given[0] === '') return true;
  return given.some((value) => value.toLowerCase() === 'true');
}

/** Reads the options; throws `invalid_parameter` for an `explain` it cannot honour. */
export function opaQueryOptions(query: RawQuery): OpaQueryOptions {
  const explain = values(query, 'explain');
  if (explain?.some((mode) => mode !== 'off')) {
    throw new OpaApiError(400, {
      code: 'invalid_parameter',
      message: `explain=${explain.join(',')} is not supported by policy-gateway: it has no query tracer; leave explain out (or send explain=off)`,
    });
  }
  return {
    pretty: flag(query, 'pretty'),
    provenance: flag(query, 'provenance'),
    metrics: flag(query, 'metrics') || flag(query, 'instrument'),
    strictBuiltinErrors: flag(query, 'strict-builtin-errors'),
  };
}
