// Entry point of a policy evaluation thread (see worker-policy-engine.ts). Plain JavaScript
// because a worker thread does not inherit the TypeScript loader its process registered: it
// registers tsx itself, as bin/policy-gateway.js does for the process, under the gateway's
// command, the Docker image, `npm start` and Vitest alike.
import { register } from 'tsx/esm/api';

register();
await import('./evaluation-worker.ts');
