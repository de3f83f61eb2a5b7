/**
 * The real policy gateway as a child process on a fresh embedded database: `migrate` once, then
 * `serve`, which can be stopped and started again on the same data directory.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  runProcess,
  runProcessOutput,
  startProcess,
  stopProcess,
  waitForHttp,
} from './child-process.js';

export class GatewayProcess {
  private child: ChildProcess | undefined;

  constructor(
    private readonly options: {
      readonly repoRoot: string;
      readonly dataDir: string;
      readonly port: number;
      /** Only for a Workbench calling it from another origin; the proxied one needs none. */
      readonly corsOrigin?: string;
      readonly logFile: string;
      /** Further settings, e.g. `POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'memory'`. */
      readonly env?: Readonly<Record<string, string>>;
    },
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  private get bin(): string {
    return join(this.options.repoRoot, 'services/policy-gateway/bin/policy-gateway.js');
  }

  private get env(): Record<string, string> {
    return {
      POLICY_GATEWAY_DATA_DIR: this.options.dataDir,
      POLICY_GATEWAY_PORT: String(this.options.port),
      POLICY_GATEWAY_HOST: '127.0.0.1',
      ...(this.options.corsOrigin ? { POLICY_GATEWAY_CORS_ORIGINS: this.options.corsOrigin } : {}),
      ...this.options.env,
    };
  }

  async migrate(): Promise<void> {
    await runProcess(process.execPath, [this.bin, 'migrate'], {
      cwd: this.options.repoRoot,
      env: this.env,
      logFile: this.options.logFile,
    });
  }

  /**
   * `policy-gateway keys create --role <role> --name <name> --json`, the real command, on this
   * gateway's database (the embedded one only while the gateway is stopped: one process per
   * data directory).
   */
  async createKey(role: string, name: string): Promise<{ id: string; key: string }> {
    const output = await runProcessOutput(
      process.execPath,
      [this.bin, 'keys', 'create', '--role', role, '--name', name, '--json'],
      { cwd: this.options.repoRoot, env: this.env, logFile: this.options.logFile },
    );
    return JSON.parse(output) as { id: string; key: string };
  }

  async start(): Promise<void> {
    this.child = startProcess(process.execPath, [this.bin, 'serve'], {
      cwd: this.options.repoRoot,
      env: this.env,
      logFile: this.options.logFile,
    });
    const child = this.child;
    const early = new Promise<never>((_, reject) =>
      child.once('exit', (code) =>
        reject(new Error(`gateway exited with ${code}; see ${this.options.logFile}`)),
      ),
    );
    await Promise.race([waitForHttp(`${this.url}/ready`, 200, 90_000), early]);
  }

  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
    this.child = undefined;
  }

  /** `POST /policy/evaluate` straight to the API, as another client of the gateway would. */
  async evaluate(
    userId: string,
    prompt: string,
    bearerToken?: string,
  ): Promise<{ decision_id: string; audit_id: string }> {
    const response = await fetch(`${this.url}/policy/evaluate`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'workbench-e2e/1.0',
        ...(bearerToken ? { authorization: `Bearer ${bearerToken}` } : {}),
      },
      body: JSON.stringify({ prompt, user_id: userId }),
    });
    if (!response.ok)
      throw new Error(`evaluate answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { decision_id: string; audit_id: string };
  }
}
