#!/usr/bin/env node
// The `policy-gateway` command. Plain JavaScript so that `npx policy-gateway` runs without a
// build step: it registers tsx's ESM loader, then hands over to the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
