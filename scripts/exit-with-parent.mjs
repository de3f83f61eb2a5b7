// Preloaded (`node --import`) into the processes `npm start` runs, and imported by
// scripts/start.mjs itself: once the process that started this one is gone, this one gets
// SIGTERM and stops as it does on Ctrl-C, instead of running on with nobody left to stop it.
// That happens when `npm start` is stopped with SIGTERM (`timeout npm start`, a supervisor):
// npm passes the signal to the shell that runs the script, which dies of it without passing it
// on; or when start.mjs itself is killed with SIGKILL. Linux can signal a child when its parent
// dies (PR_SET_PDEATHSIG), but Node.js does not expose it, so the parent's id is checked every
// second: when it is no longer the one this process started with, the parent is gone.
import { isMainThread } from 'node:worker_threads';

// Worker threads load preloaded modules too; only the process's main thread watches.
if (isMainThread) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(watch);
    process.kill(process.pid, 'SIGTERM');
  }, 1000);
  watch.unref();
}
