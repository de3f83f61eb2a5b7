/**
 * Cloud providers' request signing: `providers.aws.sign_req` signs an `http.send` request
 * object with AWS Signature Version 4 (`providers/aws-sigv4.ts`) and returns it with the
 * `Authorization` and `x-amz-*` headers added, as OPA does.
 */
import type { ObjectValue, Value } from '../value/value.js';
import { obj, str } from '../value/value-builders.js';
import { keyOf } from '../value/value-key.js';
import type { BuiltinDefinition } from './builtin.js';
import { utf8 } from './encoding/bytes.js';
import { marshalJson } from './encoding/json-text.js';
import { HTTP_SEND_REQUEST_KEYS } from './http.js';
import { builtinError, numberArg, objectArg, operandError, operandValueError } from './operands.js';
import { type RequestUrl, signV4 } from './providers/aws-sigv4.js';
import { escapedPathOf, GoUrlError, parseGoUrl } from './uri/go-url.js';

const NAME = 'providers.aws.sign_req';

const REQUIRED_CONFIG = ['aws_access_key', 'aws_region', 'aws_secret_access_key', 'aws_service'];

function member(o: ObjectValue, name: string): Value | undefined {
  return o.entries.get(keyOf(str(name)))?.[1];
}

/** A member's string, or the empty string for any other value, as OPA reads these members. */
function text(o: ObjectValue, name: string): string {
  const value = member(o, name);
  return value?.kind === 'string' ? value.value : '';
}

/** Names as Rego writes a set of strings, the way OPA's messages list them: `{"a", "b"}`. */
function nameSet(names: readonly string[]): string {
  return `{${[...names]
    .sort()
    .map((n) => JSON.stringify(n))
    .join(', ')}}`;
}

function checkConfig(config: ObjectValue): void {
  const missing = REQUIRED_CONFIG.filter((key) => member(config, key) === undefined);
  if (missing.length > 0)
    throw operandValueError(
      NAME,
      2,
      `missing required AWS config parameters(s): ${nameSet(missing)}`,
    );
  const invalid = REQUIRED_CONFIG.filter((key) => member(config, key)?.kind !== 'string');
  if (invalid.length > 0)
    throw operandValueError(
      NAME,
      2,
      `invalid values for required AWS config parameters(s): ${nameSet(invalid)}`,
    );
}

function checkRequest(request: ObjectValue): void {
  const keys = [...request.entries.values()].map(([k]) => (k.kind === 'string' ? k.value : ''));
  const invalid = keys.filter((key) => !HTTP_SEND_REQUEST_KEYS.has(key));
  if (invalid.length > 0)
    throw operandValueError(NAME, 1, `invalid request parameters(s): ${nameSet(invalid)}`);
  const missing = ['method', 'url'].filter((key) => member(request, key) === undefined);
  if (missing.length > 0)
    throw operandValueError(NAME, 1, `missing required request parameters(s): ${nameSet(missing)}`);
  const mistyped = ['method', 'url'].filter((key) => member(request, key)?.kind !== 'string');
  if (mistyped.length > 0)
    throw operandValueError(
      NAME,
      1,
      `invalid values for required request parameters(s): ${nameSet(mistyped)}`,
    );
}

/** The body as signed: `raw_body` as it is, else `body` as JSON text, else nothing. */
function bodyBytes(request: ObjectValue): Uint8Array {
  if (member(request, 'raw_body') !== undefined) return utf8(text(request, 'raw_body'));
  const body = member(request, 'body');
  return body === undefined ? new Uint8Array() : utf8(marshalJson(body));
}

function disablePayloadSigning(config: ObjectValue): boolean {
  const value = member(config, 'disable_payload_signing');
  if (value === undefined) return false;
  if (value.kind !== 'boolean')
    throw operandValueError(NAME, 2, "invalid value for 'disable_payload_signing' in AWS config");
  return value.value;
}

/** The URL's signed parts; a URL Go cannot parse is an error, as in OPA. */
function requestUrl(url: string): RequestUrl {
  try {
    const parsed = parseGoUrl(url);
    return { host: parsed.host, escapedPath: escapedPathOf(parsed), rawQuery: parsed.rawQuery };
  } catch (error) {
    if (error instanceof GoUrlError) throw builtinError(NAME, error.message);
    throw error;
  }
}

export const PROVIDER_BUILTINS: readonly BuiltinDefinition[] = [
  {
    name: NAME,
    arity: 3,
    implementation: (args) => {
      const request = objectArg(NAME, args, 0);
      const config = objectArg(NAME, args, 1);
      checkConfig(config);
      const timeNs = numberArg(NAME, args, 2);
      if (
        typeof timeNs === 'number'
          ? !Number.isSafeInteger(timeNs)
          : timeNs > 0x7fff_ffff_ffff_ffffn || timeNs < -0x8000_0000_0000_0000n
      )
        throw operandValueError(NAME, 3, 'could not convert time_ns value into a unix timestamp');
      checkRequest(request);
      const headersValue = member(request, 'headers') ?? obj([]);
      if (headersValue.kind !== 'object') throw operandError(NAME, 1, 'object', headersValue);
      // Header values that are not strings are signed and returned as empty strings, as in OPA.
      const headers = new Map<string, string>();
      for (const [k, v] of headersValue.entries.values()) {
        headers.set(k.kind === 'string' ? k.value : '', v.kind === 'string' ? v.value : '');
      }
      const { authorization, awsHeaders } = signV4({
        method: text(request, 'method'),
        url: requestUrl(text(request, 'url')),
        headers,
        body: bodyBytes(request),
        service: text(config, 'aws_service'),
        credentials: {
          accessKey: text(config, 'aws_access_key'),
          secretKey: text(config, 'aws_secret_access_key'),
          region: text(config, 'aws_region'),
          sessionToken: text(config, 'aws_session_token'),
        },
        timeNs: BigInt(timeNs),
        disablePayloadSigning: disablePayloadSigning(config),
      });
      const signed = new Map(headers);
      signed.set('Authorization', authorization);
      for (const [k, v] of awsHeaders) signed.set(k, v);
      const out = new Map(request.entries);
      const headersKey = str('headers');
      out.set(keyOf(headersKey), [
        headersKey,
        obj([...signed].map(([k, v]) => [str(k), str(v)] as const)),
      ]);
      return obj(out.values());
    },
  },
];
