#!/usr/bin/env node
// `policy-gateway` run from the TypeScript sources through tsx, whatever dist/ holds: what
// `npm run dev` watches, and what policy-gateway.js runs in a checkout changed since its build.
// A worker thread does not inherit the loader: src/policy/evaluation-worker.mjs registers it too.
import { runCliAndExit } from './run-cli.js';

let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch {
  process.stderr.write(
    'policy-gateway: dist/ is missing or older than src/, and tsx is not installed to run the sources: run `npm run build -w services/policy-gateway`\n',
  );
  process.exit(1);
}
tsx.register();
await runCliAndExit(await import('../src/cli.ts'));
