/**
 * The `policy-gateway` command: `serve`, `migrate`, `migrate status`, `keys …`, `--help`. Bad usage and
 * bad settings print one line and exit non-zero; see `EXIT` for the codes.
 */
import pino from 'pino';
import {
  AUDIT_USAGE,
  type AuditCommand,
  parseAuditCommand,
  runAuditCommand,
} from './audit-commands.js';
import { loadSettings } from './config/settings.js';
import { SettingsError } from './config/settings-error.js';
import { UnusableSettingError } from './config/unusable-setting-error.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { KEYS_USAGE, type KeysCommand, parseKeysArgs, runKeysCommand } from './keys-commands.js';
import { EXIT, migrate, migrateStatus } from './migrate-commands.js';
import {
  POLICY_USAGE,
  type PolicyCommand,
  parsePolicyArgs,
  runPolicyCommand,
} from './policy-commands.js';
import {
  parseReplayCommand,
  REPLAY_USAGE,
  type ReplayCommand,
  runReplayCommand,
} from './replay-commands.js';
import {
  parseRetentionCommand,
  RETENTION_USAGE,
  type RetentionCommand,
  runRetentionCommand,
} from './retention-commands.js';
import { SchemaBehindError } from './store/open-audit-store.js';
import {
  parseSubjectsArgs,
  runSubjectsCommand,
  SUBJECTS_USAGE,
  type SubjectsCommand,
} from './subjects-commands.js';

export const USAGE = `Usage: policy-gateway <command>

Commands:
  serve            Start the HTTP service (never migrates; refuses a schema that is behind)
  migrate          Apply pending database migrations, then exit
  migrate status   List applied and pending migrations; exit 0 when none is pending, 3 when some are
${KEYS_USAGE}
${AUDIT_USAGE}
${SUBJECTS_USAGE}
${POLICY_USAGE}
${RETENTION_USAGE}
${REPLAY_USAGE}
  --help           Show this help

Configuration comes from POLICY_GATEWAY_* environment variables (see README.md).
Exit codes: 0 success, 1 failure, 2 bad usage, 3 migrations pending (migrate status), 4 a replay
above its --fail-on threshold.
`;

type Command =
  | 'serve'
  | 'migrate'
  | 'migrate status'
  | 'help'
  | { readonly keys: KeysCommand }
  | { readonly audit: AuditCommand }
  | { readonly subjects: SubjectsCommand }
  | { readonly policy: PolicyCommand }
  | { readonly retention: RetentionCommand }
  | { readonly replay: ReplayCommand };

function parse(args: readonly string[]): Command | { error: string } {
  const [first, second, ...rest] = args;
  if (first === undefined)
    return {
      error: 'missing command: expected serve, migrate, migrate status or keys (see --help)',
    };
  if (first === '--help' || first === '-h' || first === 'help') return 'help';
  if (first === 'serve' && second === undefined) return 'serve';
  if (first === 'migrate' && second === undefined) return 'migrate';
  if (first === 'migrate' && second === 'status' && rest.length === 0) return 'migrate status';
  if (first === 'audit') {
    const audit = parseAuditCommand(args.slice(1));
    return typeof audit === 'string' ? { error: audit } : { audit };
  }
  if (first === 'subjects') {
    const subjects = parseSubjectsArgs(args.slice(1));
    return 'error' in subjects ? { error: subjects.error } : { subjects };
  }
  if (first === 'policy') {
    const policy = parsePolicyArgs(args.slice(1));
    return 'error' in policy ? { error: policy.error } : { policy };
  }
  if (first === 'retention') {
    const retention = parseRetentionCommand(args.slice(1));
    return typeof retention === 'string' ? { error: retention } : { retention };
  }
  if (first === 'replay') {
    const replay = parseReplayCommand(args.slice(1));
    return typeof replay === 'string' ? { error: replay } : { replay };
  }
  if (first === 'keys') {
    const keys = parseKeysArgs(args.slice(1));
    return 'error' in keys ? { error: keys.error } : { keys };
  }
  return {
    error: `unknown command "${args.join(' ')}": expected serve, migrate, migrate status or keys (see --help)`,
  };
}

/** A failure an operator fixes by changing something: one line, no stack. */
function isOperatorError(error: unknown): error is Error {
  return (
    error instanceof SettingsError ||
    error instanceof UnusableSettingError ||
    error instanceof SchemaBehindError ||
    error instanceof DataDirLockedError
  );
}

export async function runCli(args: readonly string[]): Promise<number> {
  const command = parse(args);
  if (typeof command === 'object' && 'error' in command) {
    process.stderr.write(`policy-gateway: ${command.error}\n`);
    return EXIT.USAGE;
  }
  if (command === 'help') {
    process.stdout.write(USAGE);
    return EXIT.OK;
  }
  if (typeof command === 'object' && 'policy' in command) {
    // Tools for policy authors: no settings, no database.
    return runPolicyCommand(command.policy, { out: process.stdout, err: process.stderr });
  }
  try {
    const settings = loadSettings(process.env);
    if (command === 'serve') {
      // Loaded on demand: `migrate` needs neither the HTTP stack nor the policy engine.
      const { serve } = await import('./main.js');
      return await serve(settings);
    }
    // Migration progress goes to stdout for people; connection retries are logged to stderr.
    // Quieter than `serve`: people read this output, so only retries and failures are logged.
    const level = settings.logLevel === 'info' ? 'warn' : settings.logLevel;
    const log = pino({ level }, pino.destination(2));
    const io = { out: process.stdout, log };
    if (typeof command === 'object' && 'audit' in command) {
      return await runAuditCommand(command.audit, settings, { ...io, err: process.stderr });
    }
    if (typeof command === 'object' && 'subjects' in command) {
      return await runSubjectsCommand(command.subjects, settings, io);
    }
    if (typeof command === 'object' && 'retention' in command) {
      return await runRetentionCommand(command.retention, settings, io);
    }
    if (typeof command === 'object' && 'replay' in command) {
      return await runReplayCommand(command.replay, settings, { ...io, err: process.stderr });
    }
    if (typeof command === 'object') return await runKeysCommand(command.keys, settings, io);
    return command === 'migrate' ? await migrate(settings, io) : await migrateStatus(settings, io);
  } catch (error) {
    if (isOperatorError(error)) {
      process.stderr.write(
        `policy-gateway: ${command === 'serve' ? 'refusing to start: ' : ''}${error.message}\n`,
      );
    } else {
      process.stderr.write(
        `policy-gateway: ${typeof command !== 'object' ? command : 'audit' in command ? command.audit.name : 'subjects' in command ? 'subjects erase' : 'retention' in command ? command.retention.name : 'replay' in command ? 'replay' : `keys ${command.keys.action}`} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    return EXIT.FAILURE;
  }
}
