/**
 * A stand-in for an OPA server, answering as OPA's documented Data API does
 * (`POST /v1/data/{path}` with `{"input": …}`): `{"result": …}` when the document is
 * defined, `{}` when it is not, `decision_id` when decision logging is on, `provenance`
 * when asked with `?provenance=true`, and `{"code", "message"}` bodies for errors.
 * OPA itself cannot be installed on these machines, hence the double.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** What the double answers; `undefined` fields fall back to OPA's own behaviour. */
export interface OpaAnswer {
  readonly status: number;
  /** Raw text, for answers that are not OPA's (a proxy's HTML error page). */
  readonly text?: string;
  readonly body?: unknown;
  readonly delayMs?: number;
}

export interface OpaDoubleOptions {
  /** Policies by Data API path (`policy_gateway/decision`): input → document, undefined when undefined. */
  readonly documents?: Readonly<Record<string, (input: unknown) => unknown>>;
  /** OPA adds a `decision_id` to each answer when decision logging is configured. */
  readonly decisionLogs?: boolean;
  /** Bundle revisions by bundle name, reported in `provenance.bundles`. */
  readonly bundles?: Readonly<Record<string, string>>;
  /** Overrides the answer entirely (errors, slowness). */
  readonly answer?: (request: RecordedRequest) => OpaAnswer | undefined;
}

export interface OpaDouble {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startOpaDouble(options: OpaDoubleOptions = {}): Promise<OpaDouble> {
  const requests: RecordedRequest[] = [];
  let decisions = 0;
  const server: Server = createServer((request, response) => {
    void readJson(request).then((body) => {
      const recorded: RecordedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        contentType: request.headers['content-type'],
        body,
      };
      requests.push(recorded);
      const answer = options.answer?.(recorded) ?? dataApiAnswer(recorded);
      const send = (): void => reply(response, answer);
      if (answer.delayMs === undefined) send();
      else setTimeout(send, answer.delayMs).unref();
    });
  });

  function dataApiAnswer(request: RecordedRequest): OpaAnswer {
    const url = new URL(request.url, 'http://opa');
    if (!url.pathname.startsWith('/v1/data')) {
      return { status: 404, body: { code: 'resource_not_found', message: 'not found' } };
    }
    if (request.method !== 'POST') {
      return { status: 405, body: { code: 'invalid_operation', message: 'method not allowed' } };
    }
    if (request.body === INVALID_JSON) {
      return {
        status: 400,
        body: { code: 'invalid_parameter', message: 'body contains malformed input document' },
      };
    }
    const path = url.pathname.replace(/^\/v1\/data\/?/, '');
    const input = isRecord(request.body) ? request.body.input : undefined;
    const result = options.documents?.[path]?.(input);
    const body: Record<string, unknown> = {};
    if (options.decisionLogs === true) {
      decisions += 1;
      body.decision_id = `4ca636c1-55e4-417a-b1d8-4aceb67960d${decisions % 10}`;
    }
    if (url.searchParams.get('provenance') === 'true')
      body.provenance = provenance(options.bundles);
    if (result !== undefined) body.result = result;
    return { status: 200, body };
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** OPA's `ProvenanceV1`: build facts, plus bundle revisions when it serves bundles. */
function provenance(bundles: Readonly<Record<string, string>> | undefined): unknown {
  const base = {
    version: '1.4.2',
    build_commit: 'd1c0b2f',
    build_timestamp: '2026-05-07T10:12:33Z',
    build_hostname: 'build-host',
  };
  if (bundles === undefined) return base;
  return {
    ...base,
    bundles: Object.fromEntries(
      Object.entries(bundles).map(([name, revision]) => [name, { revision }]),
    ),
  };
}

const INVALID_JSON = Symbol('invalid JSON');

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

function reply(response: ServerResponse, answer: OpaAnswer): void {
  if (response.destroyed) return;
  if (answer.text !== undefined) {
    response.writeHead(answer.status, { 'content-type': 'text/html' }).end(answer.text);
    return;
  }
  response
    .writeHead(answer.status, { 'content-type': 'application/json' })
    .end(JSON.stringify(answer.body ?? {}));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
