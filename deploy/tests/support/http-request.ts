// One HTTP request to a server on 127.0.0.1 with a Host header of the caller's choosing (fetch
// will not send one): what a probe, a container of the stack or a browser on a rebound domain
// would send. Bounded by a 10 s timeout.
import { request } from 'node:http';

export interface HttpAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface HttpCall {
  readonly port: number;
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  /** The Host header; `127.0.0.1:<port>` when omitted. */
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  readonly body?: unknown;
}

export function httpRequest(call: HttpCall): Promise<HttpAnswer> {
  const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: call.port,
        path: call.path,
        method: call.method ?? 'GET',
        timeout: 10_000,
        headers: {
          host: call.host ?? `127.0.0.1:${call.port}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
          ...call.headers,
        },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            body,
            json: <T>() => JSON.parse(body) as T,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${call.path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
