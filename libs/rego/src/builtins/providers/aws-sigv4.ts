/**
 * AWS Signature Version 4 of a request, as OPA's `providers.aws.sign_req` computes it:
 * the canonical request over the method, Go's escaped path, the raw query and the signed
 * headers (AWS's `host` and `x-amz-*` headers plus the request's own, lower-cased, less
 * those a proxy may change), then the HMAC-SHA256 key chain of date, region, service.
 * S3 and Glacier get `x-amz-content-sha256`; `UNSIGNED-PAYLOAD` when payload signing is off.
 */
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
  /** Temporary credentials' token, sent as `x-amz-security-token`; empty for none. */
  readonly sessionToken: string;
}

/** The parts of the request URL that are signed, as Go's `net/url` gives them. */
export interface RequestUrl {
  /** Host and port as written. */
  readonly host: string;
  /** Go's `EscapedPath`: empty for `http://example.com`, where WHATWG's URL would say `/`. */
  readonly escapedPath: string;
  readonly rawQuery: string;
}

export interface SigV4Request {
  readonly method: string;
  readonly url: RequestUrl;
  /** The request's headers by name as written; each has one value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array;
  readonly service: string;
  readonly credentials: AwsCredentials;
  /** When to sign, in nanoseconds since the epoch. */
  readonly timeNs: bigint;
  readonly disablePayloadSigning: boolean;
}

export interface SigV4Signature {
  readonly authorization: string;
  /** The headers the signature covers that AWS defines, to be set on the request. */
  readonly awsHeaders: ReadonlyMap<string, string>;
}

/** Headers a proxy may rewrite, which AWS's SDKs leave out of the signature. */
const IGNORED_HEADERS = new Set(['authorization', 'user-agent', 'x-amzn-trace-id']);

const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmacSha256(key: Uint8Array | string, message: string): Buffer {
  return createHmac('sha256', key).update(message).digest();
}

/** `20151228` and `20151228T140825Z` for a time in nanoseconds (UTC). */
function signingDates(timeNs: bigint): { date: string; dateTime: string } {
  const iso = new Date(Number(timeNs / 1_000_000n)).toISOString();
  const date = iso.slice(0, 10).replaceAll('-', '');
  const dateTime = `${date}T${iso.slice(11, 19).replaceAll(':', '')}Z`;
  return { date, dateTime };
}

export function signV4(request: SigV4Request): SigV4Signature {
  const { credentials, service } = request;
  const { date, dateTime } = signingDates(request.timeNs);
  const contentSha256 = request.disablePayloadSigning ? UNSIGNED_PAYLOAD : sha256Hex(request.body);

  const awsHeaders = new Map<string, string>([
    ['host', request.url.host],
    ['x-amz-date', dateTime],
  ]);
  if (service === 's3' || service === 'glacier')
    awsHeaders.set('x-amz-content-sha256', contentSha256);
  if (credentials.sessionToken !== '')
    awsHeaders.set('x-amz-security-token', credentials.sessionToken);

  const toSign = new Map(awsHeaders);
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (!IGNORED_HEADERS.has(lower)) toSign.set(lower, value);
  }
  const names = [...toSign.keys()].sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method,
    request.url.escapedPath,
    request.url.rawQuery,
    ...names.map((name) => `${name}:${toSign.get(name)}`),
    '',
    signedHeaders,
    contentSha256,
  ].join('\n');

  const scope = `${date}/${credentials.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', dateTime, scope, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  let key = hmacSha256(`AWS4${credentials.secretKey}`, date);
  for (const part of [credentials.region, service, 'aws4_request']) key = hmacSha256(key, part);
  const signature = hmacSha256(key, stringToSign).toString('hex');

  const authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKey}/${scope},SignedHeaders=${signedHeaders},Signature=${signature}`;
  return { authorization, awsHeaders };
}
