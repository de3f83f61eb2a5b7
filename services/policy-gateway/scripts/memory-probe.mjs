// Preloaded into a gateway by bench-memory.ts (NODE_OPTIONS=--import=…): appends the main
// thread's process.memoryUsage() to MEMORY_PROBE_FILE as one JSON line every 50 ms, so that the
// bench can say what the resident memory is made of (V8 heap, memory outside it) at its peak.
// Worker threads load it too and do nothing: their heaps are in RSS, not in this thread's figures.
import { appendFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const file = process.env.MEMORY_PROBE_FILE;
if (isMainThread && file !== undefined) {
  setInterval(() => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ rss, heapTotal, heapUsed, external, arrayBuffers })}\n`,
    );
  }, 50).unref();
}
