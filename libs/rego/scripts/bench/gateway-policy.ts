/**
 * The gateway policy the bench measures: the snapshot of commit 6cc85e3 (the policy the
 * hand-written reference decides as), or the live shipped policy, which other work may
 * change, as a list of modules and its data.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** bench/gateway-policy-6cc85e3: the policy files as commit 6cc85e3 shipped them. */
export const SNAPSHOT_DIR = resolve(here, '../../bench/gateway-policy-6cc85e3');
/** The policy the gateway ships today. */
export const LIVE_DIR = resolve(here, '../../../../services/policy-gateway/policies');
export const GATEWAY_QUERY = 'data.policy_gateway.decision';

export interface PolicyFiles {
  readonly dir: string;
  readonly modules: ReadonlyArray<{ readonly fileName: string; readonly source: string }>;
  readonly data: unknown;
}

/** The .rego files of `dir` (not its tests) and its data.json, if any. */
export function readPolicy(dir: string): PolicyFiles {
  const modules = readdirSync(dir)
    .filter((f) => f.endsWith('.rego'))
    .sort()
    .map((f) => ({ fileName: f, source: readFileSync(join(dir, f), 'utf8') }));
  const dataFile = join(dir, 'data.json');
  const data: unknown = existsSync(dataFile) ? JSON.parse(readFileSync(dataFile, 'utf8')) : {};
  return { dir, modules, data };
}
