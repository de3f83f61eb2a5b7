// deploy/compose.yaml as Compose reads it: YAML merge keys (`<<: *anchor`) resolved and
// variables interpolated (from `variables`; their defaults when unset, as on a machine where
// none is set).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { type ComposeVariables, interpolateAll } from './compose-interpolation.js';
import { repoPath } from './repo-path.js';

export interface ComposeService {
  readonly image?: string;
  readonly profiles?: readonly string[];
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly restart?: string;
  readonly read_only?: boolean;
  readonly tmpfs?: readonly string[];
}

export interface ComposeFile {
  readonly name?: string;
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

export function readComposeFile(variables: ComposeVariables = {}): ComposeFile {
  const raw = parse(readFileSync(repoPath('deploy/compose.yaml'), 'utf8'), { merge: true });
  return interpolateAll(raw as ComposeFile, variables);
}

export function composeService(file: ComposeFile, name: string): ComposeService {
  const found = file.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}
