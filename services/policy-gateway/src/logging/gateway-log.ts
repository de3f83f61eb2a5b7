/**
 * The gateway's log: pino writing JSON lines to stdout without ever blocking the event loop.
 * A line is appended to an in-memory buffer and written by the thread pool; lines logged
 * while a write is in flight go out together in the next one. A synchronous stdout made each
 * request wait for the reader of its log lines: when that reader fell behind (a pipe to a
 * busy log collector, or to the process that started the gateway) the pipe filled up and
 * pino slept 100 ms per full pipe on the main thread, most of an embedded gateway's time
 * under load.
 *
 * What is buffered is not lost: a graceful stop waits for it (`flushLog`), and so does an
 * exit, a crash included (pino flushes synchronously on the process's `exit`;
 * `logFatalErrors` logs the error that ends the process first). What is bounded is memory:
 * past `MAX_BUFFERED_BYTES` of lines stdout has not taken yet, new lines are dropped, counted,
 * and said in one warning once stdout has caught up.
 */
import pino, { type Logger } from 'pino';
import type { Settings } from '../config/settings.js';

/** Lines waiting for stdout beyond this are dropped (and counted) rather than held. */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * At most this many bytes per write: PIPE_BUF on Linux, the size up to which a write to a pipe
 * is never split. The workers of `serve` share one stdout, and a write of several lines that
 * was split could interleave another worker's lines mid-line. Each write holds whole lines.
 */
const MAX_WRITE_BYTES = 4096;

/**
 * The gateway's logger, on an asynchronous stdout.
 *
 * @example
 * const log = createLogger(settings);
 * logFatalErrors(log);
 * // … serve …
 * await flushLog(log); // before the process exits
 */
export function createLogger(settings: Pick<Settings, 'logLevel' | 'instanceName'>): Logger {
  const stdout = pino.destination({
    dest: 1,
    sync: false,
    maxLength: MAX_BUFFERED_BYTES,
    maxWrite: MAX_WRITE_BYTES,
    // Writes start as soon as a line is buffered, as with 0; but with 0, `flush(cb)` calls
    // back at once instead of when the lines in flight are written, which `flushLog` needs.
    minLength: 1,
  });
  // A log line that cannot be written cannot be reported either; it must not crash the
  // gateway. A reader that has gone (`serve | head`: EPIPE) makes pino stop writing.
  stdout.on('error', () => {});
  const log = pino({ level: settings.logLevel, base: { instance: settings.instanceName } }, stdout);
  let dropped = 0;
  stdout.on('drop', () => {
    dropped += 1;
  });
  // 'drain': every buffered line is written. The warning is itself a line, so it is only
  // written once there is room again.
  stdout.on('drain', () => {
    if (dropped === 0) return;
    const count = dropped;
    dropped = 0;
    log.warn(
      { droppedLogLines: count },
      `${count} log line${count === 1 ? ' was' : 's were'} dropped: stdout did not take them as fast as they were logged and ${MAX_BUFFERED_BYTES / 1024 / 1024} MiB were waiting`,
    );
  });
  return log;
}

/**
 * Resolves once every line logged so far has been written to stdout (or could not be: a
 * closed stdout). `serve` awaits it before it resolves with its exit code.
 */
export function flushLog(log: Logger): Promise<void> {
  return new Promise((resolve) => {
    // The callback's error (fsync on a pipe, a closed stdout) leaves nothing more to wait for.
    log.flush(() => resolve());
  });
}

/**
 * Logs, at fatal, the exception or unhandled rejection that is about to end the process; Node
 * still prints it and exits as it would without this (a monitor changes nothing), and pino's
 * exit hook writes the buffered lines, this one last, before the process ends.
 */
export function logFatalErrors(log: Logger): () => void {
  const onFatal = (error: Error, origin: NodeJS.UncaughtExceptionOrigin) => {
    // Someone handles it, so the process goes on: not this module's to report.
    if (origin === 'uncaughtException' && process.listenerCount('uncaughtException') > 0) return;
    log.fatal({ err: error, origin }, `${origin}: the process ends: ${error.message}`);
  };
  process.on('uncaughtExceptionMonitor', onFatal);
  return () => process.off('uncaughtExceptionMonitor', onFatal);
}
