// scripts/exit-with-parent.mjs, which `npm start` loads into itself and every process it starts:
// once the parent is gone (`timeout npm start` signals npm, whose shell dies of it without
// passing it on; or start.mjs is killed with SIGKILL), the process gets SIGTERM and stops as on
// Ctrl-C, rather than run on with nobody left to stop it (the gateway and vite did, before).
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { repoPath } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const preload = ['--import', repoPath('scripts/exit-with-parent.mjs')];
const leftRunning: number[] = [];

afterEach(() => {
  for (const pid of leftRunning.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
});

/** A process that says `ready <pid>`, then runs until a signal, and says which one stopped it. */
const CHILD = `
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
    process.on(signal, () => { console.log('stopped on ' + signal); process.exit(0); });
  }
  console.log('ready ' + process.pid);
  setInterval(() => {}, 1000);
`;

describe('exit-with-parent', () => {
  it('sends SIGTERM to a process once the shell that started it is killed', async () => {
    // The shell stands in for npm's `sh -c "node scripts/start.mjs"`; its output pipe stays open
    // until the orphaned child has exited too, so everything the child says is read here.
    const shell = spawn(
      'sh',
      ['-c', `"${process.execPath}" ${preload.join(' ')} -e "$CHILD" & wait`],
      { env: { ...process.env, CHILD }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const closed = new Promise<void>((resolve) => shell.stdout.on('close', resolve));
    shell.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\d+)/.exec(output);
      if (ready?.[1] !== undefined && !leftRunning.includes(Number(ready[1]))) {
        leftRunning.push(Number(ready[1]));
        shell.kill('SIGKILL');
      }
    });
    // Bounded, so that a child that never stops fails the test instead of hanging it.
    const bound = new Promise<void>((resolve) => setTimeout(resolve, 30_000).unref());
    await Promise.race([closed, bound]);
    expect(output).toMatch(/^ready \d+\nstopped on SIGTERM\n$/);
  });

  it('keeps no process alive that has finished its work', async () => {
    const result = await runProcess(process.execPath, [...preload, '-e', 'console.log("done")'], {
      timeoutMs: 30_000,
    });
    expect(result).toMatchObject({ code: 0, stdout: 'done\n', timedOut: false });
  });

  it('leaves a process whose parent is still there running', async () => {
    const child = spawn(process.execPath, [...preload, '-e', CHILD], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('ready')) resolve();
      }),
    );
    // The watch looks every second: three looks with the parent alive, then this test's SIGINT.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    child.kill('SIGINT');
    await exited;
    expect(output).toMatch(/^ready \d+\nstopped on SIGINT\n$/);
  });
});
