// The real `policy-gateway` command, run as a deployment runs it: with exactly the environment
// a compose service or a Kubernetes container gives it (none of the test runner's
// POLICY_GATEWAY_* variables leak in), as a one-shot command or as a server.
import { type ChildProcess, spawn } from 'node:child_process';
import { repoPath, repoRoot } from './repo-path.js';
import { type ProcessResult, runProcess } from './run-process.js';

export const GATEWAY_BIN = repoPath('services/policy-gateway/bin/policy-gateway.js');

export type CommandEnv = Readonly<Record<string, string>>;

function processEnv(env: CommandEnv): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('POLICY_GATEWAY_')),
  );
  return { ...base, ...env };
}

/** `policy-gateway ARGS…` to completion, bounded by `timeoutMs`. */
export function runGatewayCommand(
  args: readonly string[],
  env: CommandEnv,
  timeoutMs = 120_000,
): Promise<ProcessResult> {
  return runProcess(process.execPath, [GATEWAY_BIN, ...args], {
    cwd: repoRoot,
    env: processEnv(env),
    timeoutMs,
  });
}

export interface RunningGateway {
  readonly child: ChildProcess;
  /** Everything it printed so far (the last 64 KiB). */
  output(): string;
  /** SIGTERM, then SIGKILL after 30 s; resolves with the exit code or signal. */
  stop(): Promise<number | string>;
}

/** `policy-gateway serve` in the background; wait for it with `waitUntil`. */
export function startGatewayServer(env: CommandEnv): RunningGateway {
  const child = spawn(process.execPath, [GATEWAY_BIN, 'serve'], {
    cwd: repoRoot,
    env: processEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-65_536);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Polls `check` every 250 ms until it is true; fails with the server's output if the server
 * exits first or `timeoutMs` passes.
 */
export async function waitUntil(
  gateway: RunningGateway,
  check: () => Promise<boolean>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gateway.child.exitCode !== null || gateway.child.signalCode !== null)
      throw new Error(`the gateway exited before it was ready:\n${gateway.output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the gateway was not ready within ${timeoutMs} ms:\n${gateway.output()}`);
}
