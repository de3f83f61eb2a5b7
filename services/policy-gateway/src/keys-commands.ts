/**
 * `policy-gateway keys create|list|revoke`: API keys made, listed and revoked in the audit
 * database by an operator (or a deployment's one-shot job). A new key is printed once; with
 * `--json`, as one JSON object a script can read. Bad usage prints one line and exits 2.
 *
 * The embedded database opens in one process at a time: while `serve` runs on it, this
 * command cannot, and says to use `POST /admin/keys` instead. The memory store keeps no keys
 * a command could reach.
 */
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { parseApiKeyExpiry } from './auth/api-key-expiry.js';
import {
  type ApiKeyDescription,
  ApiKeyManager,
  apiKeyNameProblem,
} from './auth/api-key-manager.js';
import { isApiKeyId } from './auth/api-key-token.js';
import { PostgresApiKeyRepository } from './auth/postgres/postgres-api-key-repository.js';
import { ROLES, type Role } from './auth/principal.js';
import type { Settings } from './config/settings.js';
import { UnusableSettingError } from './config/unusable-setting-error.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { type Database, openDatabase } from './db/database.js';
import { EXIT } from './migrate-commands.js';
import { SchemaBehindError } from './store/open-audit-store.js';

export type KeysCommand =
  | {
      readonly action: 'create';
      readonly role: Role;
      readonly name: string | undefined;
      readonly expiresAt: Date | undefined;
      readonly json: boolean;
    }
  | { readonly action: 'list'; readonly json: boolean }
  | { readonly action: 'revoke'; readonly id: string };

export const KEYS_USAGE = `  keys create --role <${ROLES.join('|')}> [--name <name>] [--expires <90d|2027-06-30|…>] [--json]
                   Make an API key; it is printed once (--json: one JSON object {"id","key","role",…})
  keys list [--json]
                   List API keys (never their secrets)
  keys revoke <id> Revoke an API key at once`;

const CREATE_OPTIONS = new Set(['--role', '--name', '--expires']);

/** The command `args` (after `keys`) ask for, or a one-line reason they do not. */
export function parseKeysArgs(
  args: readonly string[],
  now: Date = new Date(),
): KeysCommand | { readonly error: string } {
  const [action, ...rest] = args;
  if (action === 'list') {
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '--json')) {
      return { action: 'list', json: rest.length === 1 };
    }
    return { error: `keys list takes only --json, not "${rest.join(' ')}"` };
  }
  if (action === 'revoke') {
    const [id, ...extra] = rest;
    if (id === undefined || extra.length > 0) return { error: 'keys revoke takes one key id' };
    if (!isApiKeyId(id)) return { error: `"${id}" is not an API key id (12 letters and digits)` };
    return { action: 'revoke', id };
  }
  if (action !== 'create') {
    return {
      error: `unknown keys command "${args.join(' ')}": expected keys create, keys list or keys revoke`,
    };
  }
  const values = new Map<string, string>();
  let json = false;
  for (let i = 0; i < rest.length; i += 1) {
    const option = rest[i] ?? '';
    if (option === '--json') {
      json = true;
      continue;
    }
    const value = rest[i + 1];
    if (!CREATE_OPTIONS.has(option)) return { error: `keys create: unknown option "${option}"` };
    if (value === undefined || value.startsWith('--'))
      return { error: `keys create: ${option} needs a value` };
    if (values.has(option)) return { error: `keys create: ${option} given twice` };
    values.set(option, value);
    i += 1;
  }
  const role = values.get('--role');
  if (role === undefined) return { error: `keys create needs --role ${ROLES.join('|')}` };
  if (!(ROLES as readonly string[]).includes(role)) {
    return { error: `keys create: unknown role "${role}": expected ${ROLES.join(', ')}` };
  }
  const name = values.get('--name');
  const nameProblem = name === undefined ? undefined : apiKeyNameProblem(name);
  if (nameProblem !== undefined) return { error: `keys create: --name: ${nameProblem}` };
  const expires = values.get('--expires');
  let expiresAt: Date | undefined;
  if (expires !== undefined) {
    const parsed = parseApiKeyExpiry(expires, now);
    if (!(parsed instanceof Date)) return { error: `keys create: --expires ${parsed.error}` };
    expiresAt = parsed;
  }
  return { action: 'create', role: role as Role, name, expiresAt, json };
}

interface Io {
  readonly out: Writable;
  readonly log: Logger;
}

function keyJson(key: ApiKeyDescription) {
  return {
    id: key.id,
    role: key.role,
    name: key.name,
    created_at: key.createdAt.toISOString(),
    created_by: key.createdBy,
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
  };
}

async function openKeyDatabase(settings: Settings, log: Logger): Promise<Database> {
  if (settings.store.backend === 'memory') {
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_AUDIT_STORE_BACKEND'],
      'API keys are kept in the database and the memory audit store has none: use the embedded backend (POLICY_GATEWAY_AUDIT_STORE_BACKEND=embedded) or a PostgreSQL server (POLICY_GATEWAY_DATABASE_URL); a gateway on the memory store takes keys through POST /admin/keys, until it stops',
    );
  }
  let database: Database;
  try {
    database = await openDatabase(settings.store, { log });
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new UnusableSettingError(
        ['POLICY_GATEWAY_DATA_DIR'],
        `${error.message}; while the gateway runs, manage keys through its admin routes (GET/POST /admin/keys, POST /admin/keys/{id}/revoke)`,
        { cause: error },
      );
    }
    throw error;
  }
  try {
    const status = await database.migrationStatus();
    if (status.state === 'behind') throw new SchemaBehindError(status.pending);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

export async function runKeysCommand(
  command: KeysCommand,
  settings: Settings,
  { out, log }: Io,
): Promise<number> {
  const database = await openKeyDatabase(settings, log);
  try {
    const keys = new ApiKeyManager(PostgresApiKeyRepository.over(database.db));
    if (command.action === 'create') {
      const { key, description } = await keys.create({
        role: command.role,
        name: command.name ?? null,
        expiresAt: command.expiresAt ?? null,
      });
      if (command.json) {
        out.write(
          `${JSON.stringify({
            id: description.id,
            key,
            role: description.role,
            name: description.name,
            expires_at: description.expiresAt?.toISOString() ?? null,
          })}\n`,
        );
      } else {
        out.write(
          `API key ${description.id} (role ${description.role}${description.expiresAt ? `, expires ${description.expiresAt.toISOString()}` : ''}); shown this once, keep it secret:\n${key}\n`,
        );
      }
      return EXIT.OK;
    }
    if (command.action === 'list') {
      const listed = await keys.list(Number.MAX_SAFE_INTEGER);
      if (command.json) {
        out.write(`${JSON.stringify({ keys: listed.map(keyJson) })}\n`);
      } else if (listed.length === 0) {
        out.write('no API keys\n');
      } else {
        for (const key of listed) {
          const state = key.revokedAt
            ? `revoked ${key.revokedAt.toISOString()}`
            : key.expiresAt
              ? `expires ${key.expiresAt.toISOString()}`
              : 'no expiry';
          out.write(
            `${key.id}  ${key.role.padEnd(9)}  ${state}  created ${key.createdAt.toISOString()}  last used ${key.lastUsedAt?.toISOString() ?? 'never'}  ${key.name ?? ''}\n`.replace(
              / +\n$/,
              '\n',
            ),
          );
        }
      }
      return EXIT.OK;
    }
    const revoked = await keys.revoke(command.id);
    if (revoked === undefined) {
      process.stderr.write(`policy-gateway: no API key ${command.id}\n`);
      return EXIT.FAILURE;
    }
    out.write(`API key ${revoked.id} revoked at ${revoked.revokedAt?.toISOString()}\n`);
    return EXIT.OK;
  } finally {
    await database.close();
  }
}
