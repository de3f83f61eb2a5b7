// Preloaded into every process of a gateway by bench.ts's soak (NODE_OPTIONS=--import=…): each
// process's main thread (the primary and each cluster worker) appends its pid and
// process.memoryUsage() to SOAK_PROBE_FILE as one JSON line every SOAK_PROBE_MS, so that the soak
// can say per process whether the V8 heap, and not only the resident memory, stays flat. Each line
// is one write to a file opened for appending, so the processes' lines never mix. Evaluation
// threads load it too and do nothing: their heaps are in their process's RSS. With SOAK_PROBE_GC=1
// (and node's --expose-gc) each sample is taken right after a full collection, so that its heap
// is what is live: a heap that grows between major collections is not a leak, a live heap is.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SOAK_PROBE_FILE;
const everyMs = Number(process.env.SOAK_PROBE_MS ?? 10_000);
if (isMainThread && file !== undefined && everyMs > 0) {
  const collect = process.env.SOAK_PROBE_GC === '1' ? globalThis.gc : undefined;
  const sample = () => {
    collect?.();
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ pid: process.pid, at: Date.now(), rss, heapUsed, heapTotal, external })}\n`,
    );
  };
  sample();
  setInterval(sample, everyMs).unref();
}
