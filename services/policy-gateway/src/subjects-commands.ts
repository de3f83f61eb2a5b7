/**
 * `policy-gateway subjects erase <user_id> --reason <text> [--json]`: erases a subject
 * (crypto-shredding, `privacy/subject-erasure.ts`) from the command line, recording the
 * operator's account as who erased. Bad usage prints one line and exits 2. Like `keys`, it
 * opens the audit database itself: with the embedded database, stop the gateway first.
 */
import { userInfo } from 'node:os';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Settings } from './config/settings.js';
import { UnusableSettingError } from './config/unusable-setting-error.js';
import { openDatabase } from './db/database.js';
import { EXIT } from './migrate-commands.js';
import { originalSealerOf, userIdPseudonymsOf } from './privacy/audit-privacy.js';
import { MAX_REASON_LENGTH, SubjectEraser } from './privacy/subject-erasure.js';
import { SchemaBehindError } from './store/open-audit-store.js';

export interface SubjectsCommand {
  readonly action: 'erase';
  readonly userId: string;
  readonly reason: string;
  readonly json: boolean;
}

export const SUBJECTS_USAGE = `  subjects erase <user_id> --reason <text> [--json]
                   Destroy the subject's data key: its sealed originals become unreadable,
                   its masked entries stay; the erasure is recorded (who, when, why, how many)`;

/** The command `args` (after `subjects`) ask for, or a one-line reason they do not. */
export function parseSubjectsArgs(
  args: readonly string[],
): SubjectsCommand | { readonly error: string } {
  const [action, ...rest] = args;
  if (action !== 'erase') {
    return { error: `unknown subjects command "${action ?? ''}": expected subjects erase` };
  }
  let userId: string | undefined;
  let reason: string | undefined;
  let json = false;
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--reason') {
      reason = rest[i + 1];
      i += 1;
      if (reason === undefined) return { error: '--reason needs a value: --reason "<why>"' };
    } else if (arg.startsWith('--')) return { error: `subjects erase does not take ${arg}` };
    else if (userId === undefined) userId = arg;
    else return { error: `subjects erase takes one user_id, got "${userId}" and "${arg}"` };
  }
  if (userId === undefined || userId === '') {
    return { error: 'subjects erase needs the user_id to erase' };
  }
  if (reason === undefined || reason.trim() === '' || reason.length > MAX_REASON_LENGTH) {
    return {
      error: `subjects erase needs --reason "<why>" (1 to ${MAX_REASON_LENGTH} characters), recorded with the erasure`,
    };
  }
  return { action: 'erase', userId, reason, json };
}

export async function runSubjectsCommand(
  command: SubjectsCommand,
  settings: Settings,
  { out, log }: { readonly out: Writable; readonly log: Logger },
): Promise<number> {
  if (settings.store.backend === 'memory') {
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_AUDIT_STORE_BACKEND'],
      'the memory audit store keeps nothing a command could erase: use the embedded backend or a PostgreSQL server',
    );
  }
  const sealer = originalSealerOf(settings);
  if (sealer === null) {
    throw new UnusableSettingError(
      ['POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS'],
      'originals are not sealed (POLICY_GATEWAY_AUDIT_SEAL_ORIGINALS=off), so there is no subject key to destroy',
    );
  }
  const database = await openDatabase(settings.store, { log });
  try {
    const status = await database.migrationStatus();
    if (status.state === 'behind') throw new SchemaBehindError(status.pending);
    const eraser = new SubjectEraser(sealer.keyStore, database.db, userIdPseudonymsOf(settings));
    const outcome = await eraser.erase({
      userId: command.userId,
      erasedBy: `cli:${userInfo().username}`,
      reason: command.reason,
    });
    if (command.json) {
      out.write(`${JSON.stringify(outcome)}\n`);
    } else if (outcome.status === 'erased') {
      out.write(
        `erased ${command.userId}: data key destroyed, ${outcome.entriesAffected} sealed original(s) now unreadable; masked entries kept (erasure ${outcome.erasureId})\n`,
      );
    } else {
      out.write(
        outcome.previous === null
          ? `${command.userId} has no data key (no original of theirs was sealed); erasure recorded (erasure ${outcome.erasureId})\n`
          : `${command.userId} was already erased at ${outcome.previous.erasedAt} by ${outcome.previous.erasedBy}; nothing left to destroy, recorded again (erasure ${outcome.erasureId})\n`,
      );
    }
    return EXIT.OK;
  } finally {
    await database.close();
  }
}
