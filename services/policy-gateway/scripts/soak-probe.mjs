// Preloaded into every process of a gateway by bench.ts's soak (NODE_OPTIONS=--import=…): each
// process's main thread (the primary and each cluster worker) appends its pid and
// process.memoryUsage() to SOAK_PROBE_FILE as one JSON line every SOAK_PROBE_MS, so that the soak
// can say per process whether the V8 heap, and not only the resident memory, stays flat. Each line
// is one write to a file opened for appending, so the processes' lines never mix. Evaluation
// threads load it too and do nothing: their heaps are in their process's RSS.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SOAK_PROBE_FILE;
const everyMs = Number(process.env.SOAK_PROBE_MS ?? 10_000);
if (isMainThread && file !== undefined && everyMs > 0) {
  const sample = () => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ pid: process.pid, at: Date.now(), rss, heapUsed, heapTotal, external })}\n`,
    );
  };
  sample();
  setInterval(sample, everyMs).unref();
}
