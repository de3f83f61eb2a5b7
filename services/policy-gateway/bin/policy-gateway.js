#!/usr/bin/env node
// The `policy-gateway` command. Plain JavaScript so that `npx policy-gateway` runs without a
// build step: it registers tsx's ESM loader, then hands over to the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli.ts');
const code = await runCli(process.argv.slice(2));
// Exit only once the command has finished (`serve` resolves after a graceful shutdown) and
// its output is flushed; an embedded database's worker must not keep the process alive.
process.stdout.write('', () => process.exit(code));
