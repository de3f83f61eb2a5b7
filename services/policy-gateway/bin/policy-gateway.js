#!/usr/bin/env node
// The `policy-gateway` command. It runs the compiled build in dist/ (`npm run build`, which
// `npm install` and `npm start` run too), as the Docker image does: plain JavaScript, with no
// TypeScript loader resident. In a checkout whose sources changed since that build, or that was
// never built, it runs the sources through tsx instead (policy-gateway-sources.js), so that the
// command never runs stale code.
import { fileURLToPath } from 'node:url';
import { currentBuild } from './current-build.js';
import { runCliAndExit } from './run-cli.js';

if (currentBuild(fileURLToPath(new URL('..', import.meta.url))).current) {
  await runCliAndExit(await import('../dist/cli.mjs'));
} else {
  await import('./policy-gateway-sources.js');
}
