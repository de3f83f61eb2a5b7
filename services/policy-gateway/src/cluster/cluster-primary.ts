/**
 * The primary of `serve` with several workers (node `cluster`): it forks the workers, which
 * share the listening port (the primary accepts and hands connections round-robin), and
 * serves nothing itself. It starts a worker again when one dies (`RestartPolicy`: backoff,
 * and giving up loudly on a crash loop), answers the workers' calls (every worker's metrics;
 * the memory store, which the workers share through it), and on SIGTERM, SIGINT or SIGHUP
 * tells each worker to stop as a single process does (no new requests, those in flight
 * finished and recorded, the chain's final checkpoint), then exits once all have.
 *
 * The primary opens no store and takes no lock: each worker opens its own connections and
 * chain. Worker 1 verifies the trail for all (`audit-integrity-relay.ts`); the primary relays
 * the others' integrity requests to it. Why processes rather than threads: each worker is a whole gateway (its Fastify, its
 * evaluation threads, its database pool), so a crash takes down one worker and not the rest,
 * and the port is shared by the kernel-facing primary without a proxy in between.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import type { Settings } from '../config/settings.js';
import { clusterMetricsTarget } from '../metrics/metrics-source.js';
import { integrityRelayTargets, VERIFYING_WORKER_SLOT } from './audit-integrity-relay.js';
import { answerCalls, type CallTargets, type IpcChannel, PrimaryCalls } from './primary-calls.js';
import { RestartPolicy } from './restart-policy.js';
import { sharedMemoryStoreTargets } from './shared-memory-store.js';
import { workerExecArgv } from './worker-exec-argv.js';
import type { WorkerIdentity } from './worker-identity.js';

/** What the primary sends a worker to make it stop gracefully. */
export const STOP_MESSAGE = Object.freeze({ kind: 'pgw:stop' });

function channelOf(worker: Worker): IpcChannel {
  return {
    send: (message) => {
      worker.send(message as object);
    },
    listen: (listener) => {
      worker.on('message', listener);
      return () => worker.off('message', listener);
    },
  };
}

function exitOf(code: number | null, signal: string | null): string {
  return signal === null ? `exit code ${code}` : `signal ${signal}`;
}

/**
 * Runs the primary until it is told to stop or gives up; resolves with the exit code.
 *
 * @param count the workers to keep running (`workerCount`)
 */
export async function runClusterPrimary(
  settings: Settings,
  log: Logger,
  count: number,
): Promise<number> {
  // Structured clone on the IPC channel: dates and the like cross as they are.
  cluster.setupPrimary({
    serialization: 'advanced',
    execArgv: workerExecArgv(
      process.execArgv,
      process.env.NODE_OPTIONS,
      settings.workerSemiSpaceMb,
    ),
  });
  const shared =
    settings.store.backend === 'memory'
      ? sharedMemoryStoreTargets(settings.store.maxEntries, log)
      : undefined;
  /** Calls to the worker that verifies the trail for all (its integrity, relayed). */
  let verifier: PrimaryCalls | undefined;
  const sharedTargets: CallTargets = {
    metrics: clusterMetricsTarget(),
    ...integrityRelayTargets(() => verifier),
    ...shared?.targets,
  };
  const toEveryWorker = (message: object) => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(message);
    }
  };
  const stopAnnouncingKeys = shared?.onKeyChange(toEveryWorker);
  // Entries committed through one worker reach the live tails of every other one.
  const stopAnnouncingCommits = shared?.onCommit(toEveryWorker);
  const restarts = new RestartPolicy();
  const slots = new Map<number, Worker>();
  let stopping = false;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let exitCode = 0;
  /** Every worker listened once; from then on a worker that dies is started again. */
  let started = false;

  const stopAll = (code: number) => {
    exitCode = Math.max(exitCode, code);
    if (stopping) return;
    stopping = true;
    for (const worker of slots.values()) {
      if (worker.isConnected()) worker.send(STOP_MESSAGE);
    }
    if (slots.size === 0) finish(exitCode);
  };

  /** Forks the worker of `slot`; resolves when it listens, or with its exit if it never did. */
  const fork = (slot: number): Promise<'listening' | 'exited'> => {
    const identity: WorkerIdentity = { slot, instanceName: `${settings.instanceName}/${slot}` };
    const worker = cluster.fork();
    slots.set(slot, worker);
    answerCalls(channelOf(worker), {
      ...sharedTargets,
      cluster: { identity: () => identity },
    });
    // The same call protocol the other way: the primary asks this worker (less time than a
    // worker waits for the primary, so that a relaying worker hears why).
    const calls =
      slot === VERIFYING_WORKER_SLOT
        ? new PrimaryCalls(channelOf(worker), { timeoutMs: 5_000 })
        : undefined;
    if (calls !== undefined) {
      verifier?.close();
      verifier = calls;
    }
    let listened = false;
    return new Promise((resolve) => {
      worker.once('listening', () => {
        listened = true;
        // A stop sent while it was still loading found no listener yet: it serves now, so
        // it hears this one.
        if (stopping) worker.send(STOP_MESSAGE);
        resolve('listening');
      });
      worker.once('exit', (code, signal) => {
        if (slots.get(slot) === worker) slots.delete(slot);
        if (calls !== undefined && verifier === calls) {
          calls.close();
          verifier = undefined;
        }
        if (!listened) resolve('exited');
        if (stopping) {
          if (code !== 0) exitCode = Math.max(exitCode, 1);
          if (slots.size === 0) finish(exitCode);
          return;
        }
        if (!listened && !started) return;
        const decision = restarts.crashed(Date.now());
        if (!decision.restart) {
          log.fatal(
            { worker: slot, pid: worker.process.pid, crashes: decision.crashes },
            `worker ${slot} (pid ${worker.process.pid}) ended (${exitOf(code, signal)}), the ${decision.crashes}th worker crash within ${decision.windowMs / 1000} s: giving up, stopping every worker; see the errors above`,
          );
          stopAll(1);
          return;
        }
        log.error(
          { worker: slot, pid: worker.process.pid, code, signal, restartInMs: decision.delayMs },
          `worker ${slot} (pid ${worker.process.pid}) ended (${exitOf(code, signal)}); starting a new one${decision.delayMs === 0 ? '' : ` in ${decision.delayMs} ms`}`,
        );
        setTimeout(() => {
          if (!stopping) void fork(slot);
        }, decision.delayMs).unref();
      });
    });
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} received again; still waiting for the workers to finish`);
      return;
    }
    log.info(
      `${signal} received; telling ${slots.size} worker(s) to stop accepting requests and finish those in flight`,
    );
    stopAll(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', onSignal);

  // The first worker alone: what stops one from starting (schema behind, database gone, port
  // taken) stops them all, and is said once, by it.
  const first = await fork(1);
  if (first === 'listening' && !stopping) {
    const rest = await Promise.all(
      Array.from({ length: count - 1 }, (_, index) => fork(index + 2)),
    );
    if (rest.every((outcome) => outcome === 'listening')) {
      started = true;
      log.info(
        { workers: count, pids: [...slots.values()].map((worker) => worker.process.pid) },
        `policy-gateway serving from ${count} worker processes (POLICY_GATEWAY_WORKERS); each has its own store connections, audit chain and /ready`,
      );
    } else {
      log.error('a worker could not start; stopping the others');
      stopAll(1);
    }
  } else if (first === 'exited') {
    log.error('the first worker could not start (its error is above); not starting the others');
    stopAll(1);
  }
  const code = await finished;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.off('SIGHUP', onSignal);
  stopAnnouncingKeys?.();
  stopAnnouncingCommits?.();
  await shared?.close();
  log.info('stopped: every worker finished');
  return code;
}
