/**
 * Runs the real `policy-gateway` command (bin/policy-gateway.js) as a child process, the way
 * operators and deployments do, and talks to it over HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/policy-gateway.js', import.meta.url));

export type GatewayEnv = Record<string, string>;

/** Generous: a fresh embedded data directory alone takes several seconds to open. */
const START_TIMEOUT_MS = 90_000;

/**
 * The child's environment: none of the test runner's POLICY_GATEWAY_* settings leak in. One
 * `serve` process unless a test asks for more (`POLICY_GATEWAY_WORKERS`): the tests of other
 * parts check what one process does, and each further worker adds its start-up time.
 */
function childEnv(env: GatewayEnv): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('POLICY_GATEWAY_')),
  );
  return { ...base, POLICY_GATEWAY_LOG_LEVEL: 'info', POLICY_GATEWAY_WORKERS: '1', ...env };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Which command to run: `BIN` unless a test or bench names another entry (bin/*.js). */
export interface CommandOptions {
  readonly bin?: string;
}

export function runCli(
  args: readonly string[],
  env: GatewayEnv,
  options: CommandOptions = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bin ?? BIN, ...args], { env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): Promise<number | string>;
}

/**
 * Starts `policy-gateway serve` on a free port and resolves once it listens; rejects with its
 * output if it exits first.
 */
export function startGateway(
  env: GatewayEnv,
  options: CommandOptions = {},
): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [options.bin ?? BIN, 'serve'], {
    env: childEnv({ POLICY_GATEWAY_HOST: '127.0.0.1', POLICY_GATEWAY_PORT: '0', ...env }),
  });
  let output = '';
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1] !== undefined) {
        child.stdout.off('data', onData);
        child.stdout.on('data', (more: Buffer) => {
          // Request logs of a long run (the benchmark) are kept to the last 64 KiB.
          output = (output + more.toString()).slice(-65_536);
        });
        const url = match[1];
        resolve({
          child,
          url,
          output: () => output,
          exited,
          kill: (signal) => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    exited.then((code) =>
      reject(new Error(`gateway exited (${code}) before listening:\n${output}`)),
    );
    // A gateway that never says where it listens must fail the caller, not hang it.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not listen within ${START_TIMEOUT_MS} ms:\n${output}`));
    }, START_TIMEOUT_MS);
    child.stdout.on('data', () => {
      if (/"url":"http/.test(output)) clearTimeout(timer);
    });
    exited.then(() => clearTimeout(timer));
  });
}

export async function evaluate(
  url: string,
  body: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/policy/evaluate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'persistence-test' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function auditEntries(
  url: string,
  query = 'limit=10',
): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${url}/governance/audit?${query}`);
  if (response.status !== 200) throw new Error(`audit query answered ${response.status}`);
  const page = (await response.json()) as { entries: Record<string, unknown>[] };
  return page.entries;
}
