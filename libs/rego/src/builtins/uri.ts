/**
 * `uri.parse` and `uri.is_valid`, on Go's URL parser as OPA has them (`uri/go-url.ts`):
 * `uri.parse` answers the parts present (`scheme`, `hostname`, `port`, `path` with `raw_path`,
 * `raw_query`, `fragment`), all strings; `uri.is_valid` is false for the empty string and for
 * what Go cannot parse, never an error.
 */
import type { Value } from '../value/value.js';
import { bool, objFromRecord, str } from '../value/value-builders.js';
import type { BuiltinDefinition } from './builtin.js';
import { builtinError, stringArg } from './operands.js';
import { GoUrlError, hostnameOf, parseGoUrl, portOf } from './uri/go-url.js';

function parseUri(text: string): Value {
  let url: ReturnType<typeof parseGoUrl>;
  try {
    url = parseGoUrl(text);
  } catch (error) {
    if (error instanceof GoUrlError) throw builtinError('uri.parse', error.message);
    throw error;
  }
  const parts: Record<string, Value> = {};
  if (url.scheme !== '') parts.scheme = str(url.scheme);
  const hostname = hostnameOf(url);
  if (hostname !== '') parts.hostname = str(hostname);
  const port = portOf(url);
  if (port !== '') parts.port = str(port);
  if (url.path !== '') {
    parts.path = str(url.path);
    parts.raw_path = str(url.rawPath || url.path);
  }
  if (url.rawQuery !== '') parts.raw_query = str(url.rawQuery);
  if (url.fragment !== '') parts.fragment = str(url.fragment);
  return objFromRecord(parts);
}

export const URI_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: 'uri.parse',
    arity: 1,
    implementation: (args) => parseUri(stringArg('uri.parse', args, 0)),
  },
  {
    name: 'uri.is_valid',
    arity: 1,
    implementation: (args) => {
      const value = args[0] as Value;
      if (value.kind !== 'string' || value.value === '') return bool(false);
      try {
        parseGoUrl(value.value);
        return bool(true);
      } catch (error) {
        if (error instanceof GoUrlError) return bool(false);
        throw error;
      }
    },
  },
];
