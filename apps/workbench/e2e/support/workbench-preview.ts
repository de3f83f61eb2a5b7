/**
 * The built Workbench served by `vite preview`: builds into a temporary directory (so the
 * working tree's dist/ is untouched), writes the `config.json` that points it at the gateway,
 * exactly as the container does at start, and serves it on a free port.
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

  async configure(gatewayUrl: string): Promise<void> {
    await writeFile(join(this.options.outDir, 'config.json'), JSON.stringify({ gatewayUrl }));
  }

  async start(): Promise<void> {
    const args = ['preview', '--outDir', this.options.outDir, '--host', '127.0.0.1'];
    args.push('--port', String(this.options.port), '--strictPort');
    this.child = startProcess(process.execPath, [...(await this.viteBin()), ...args], {
      cwd: this.options.appRoot,
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
