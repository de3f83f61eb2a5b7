/**
 * The bounds on client connections: how long a client may take to send its request, how long
 * an idle connection is kept, and how many may be open at once. A client that trickles its
 * request a byte at a time is answered `408` and disconnected once its time is up, and a
 * connection past the limit is closed on arrival, so that slow or numerous clients cannot hold
 * the gateway's sockets.
 */
import type { Server } from 'node:http';
import type { FastifyHttpOptions, FastifyInstance } from 'fastify';
import type { Settings } from '../config/settings.js';
import { answerClientError } from './client-error-handler.js';

export type ConnectionSettings = Settings['connections'];

/** How often Node looks for requests past their time; its default of 30 s would let a trickle outlast a 10 s limit threefold. */
function checkingIntervalMs(timeoutMs: number): number {
  return Math.max(50, Math.min(1000, Math.floor(timeoutMs / 4)));
}

/** The Fastify (and Node `http.Server`) options that bound each connection. */
export function connectionServerOptions(connections: ConnectionSettings) {
  const requestTimeout = connections.requestTimeoutMs;
  // Node refuses a headers timeout longer than the request timeout; the smaller one is meant.
  const headersTimeout = Math.min(connections.headersTimeoutMs, requestTimeout);
  return {
    connectionTimeout: connections.idleTimeoutMs,
    keepAliveTimeout: connections.keepAliveTimeoutMs,
    requestTimeout,
    http: {
      headersTimeout,
      requestTimeout,
      connectionsCheckingInterval: checkingIntervalMs(headersTimeout),
    },
    clientErrorHandler: answerClientError,
  } satisfies FastifyHttpOptions<Server>;
}

/** How often, at most, the log says that connections past the limit were closed. */
const DROP_LOG_INTERVAL_MS = 10_000;

/**
 * Caps the open connections. Node closes each one past the cap as it arrives; every such
 * connection is counted, and the log says how many at most every 10 s, so that a flood is
 * visible without flooding the log.
 */
export function limitConnections(app: FastifyInstance, connections: ConnectionSettings): void {
  app.server.maxConnections = connections.maxConnections;
  let dropped = 0;
  let reported = 0;
  let timer: NodeJS.Timeout | undefined;
  const report = () => {
    timer = undefined;
    app.log.warn(
      {
        dropped: dropped - reported,
        droppedTotal: dropped,
        maxConnections: connections.maxConnections,
      },
      `closed ${dropped - reported} connection(s) on arrival: ${connections.maxConnections} were open already (POLICY_GATEWAY_MAX_CONNECTIONS)`,
    );
    reported = dropped;
  };
  app.server.on('drop', () => {
    dropped += 1;
    if (timer === undefined) {
      timer = setTimeout(report, reported === 0 ? 0 : DROP_LOG_INTERVAL_MS);
      timer.unref();
    }
  });
  app.addHook('onClose', async () => {
    if (timer !== undefined) {
      clearTimeout(timer);
      report();
    }
  });
}
