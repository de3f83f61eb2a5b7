// Entry point of a policy evaluation thread (see worker-policy-engine.ts) when the gateway runs
// from its TypeScript sources (Vitest, `npm run dev`, bin/policy-gateway-sources.js). Plain
// JavaScript because a worker thread does not inherit the TypeScript loader its process
// registered: it registers tsx itself. The compiled gateway (dist/) has its own
// dist/evaluation-worker.mjs at the same relative place, built from evaluation-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./evaluation-worker.ts');
