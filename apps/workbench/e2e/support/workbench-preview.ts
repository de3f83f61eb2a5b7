/**
 * The built Workbench served by `vite preview`: builds into a temporary directory (so the
 * working tree's dist/ is untouched) and serves it on a free port, forwarding `/api` to the
 * gateway it is started with (WORKBENCH_PROXY_TARGET), as `npm start` does. `configure` writes
 * a `config.json` naming a gateway on another origin instead, as a container may.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess, startProcess, stopProcess, waitForHttp } from './child-process.js';

export class WorkbenchPreview {
  private child: ChildProcess | undefined;

  constructor(
    private readonly options: {
      readonly appRoot: string;
      readonly outDir: string;
      readonly port: number;
      readonly logFile: string;
    },
  ) {}

  get origin(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  /** The same server under the other name a browser may use for this machine. */
  get localhostOrigin(): string {
    return `http://localhost:${this.options.port}`;
  }

  async build(): Promise<void> {
    await runProcess(
      process.execPath,
      [...(await this.viteBin()), 'build', '--outDir', this.options.outDir, '--emptyOutDir'],
      {
        cwd: this.options.appRoot,
        logFile: this.options.logFile,
      },
    );
  }

  /** A gateway on another origin (CORS) instead of this server's `/api`; null: same origin. */
  async configure(gatewayUrl: string | null): Promise<void> {
    await writeFile(join(this.options.outDir, 'config.json'), JSON.stringify({ gatewayUrl }));
  }

  /** Serves the build, forwarding `/api` to `gatewayUrl`. */
  async start(gatewayUrl: string): Promise<void> {
    const args = ['preview', '--outDir', this.options.outDir, '--host', '127.0.0.1'];
    args.push('--port', String(this.options.port), '--strictPort');
    this.child = startProcess(process.execPath, [...(await this.viteBin()), ...args], {
      cwd: this.options.appRoot,
      env: { WORKBENCH_PROXY_TARGET: gatewayUrl },
      logFile: this.options.logFile,
    });
    await waitForHttp(`${this.origin}/governance`, 200, 30_000);
  }

  async stop(): Promise<void> {
    if (this.child) await stopProcess(this.child);
    this.child = undefined;
  }

  /** The vite script itself, run under node: stopping that pid stops the server (no wrapper). */
  private async viteBin(): Promise<string[]> {
    const { createRequire } = await import('node:module');
    const require = createRequire(join(this.options.appRoot, 'package.json'));
    return [join(require.resolve('vite/package.json'), '..', 'bin', 'vite.js')];
  }
}
