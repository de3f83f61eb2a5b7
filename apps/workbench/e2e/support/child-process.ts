// Runs and stops child processes for the browser tests, keeping their output in a log file
// so a failure can be read afterwards. Stops the process itself by pid, never by name.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly logFile: string;
}

export function startProcess(command: string, args: readonly string[], options: RunOptions) {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  child.once('exit', () => log.end());
  return child;
}

/** Runs a command to completion; rejects with its log file's name when it fails. */
export async function runProcess(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<void> {
  const child = startProcess(command, args, options);
  const code = await exited(child);
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${code}; see ${options.logFile}`);
  }
}

/** Runs a command to completion and returns its standard output (its errors go to the log). */
export async function runProcessOutput(
  command: string,
  args: readonly string[],
  options: RunOptions,
): Promise<string> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n$ ${command} ${args.join(' ')}\n`);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.pipe(log, { end: false });
  const code = await exited(child);
  log.end();
  if (code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${code}; see ${options.logFile}`);
  }
  return output;
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** SIGTERM, then SIGKILL if the process has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** Polls `url` until it answers with `status`, or fails after `timeoutMs`. */
export async function waitForHttp(url: string, status: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status === status) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}
