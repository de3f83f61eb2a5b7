/**
 * `policy-gateway audit …`: the tamper-evidence commands an auditor runs.
 *
 * - `audit verify [--since T] [--until T] [--public-key FILE]` walks the audit store the
 *   settings name (the gateway's own store, found the way `serve` finds it), draws a progress
 *   bar with entries/s on a terminal, and ends with one line: `intact` (exit 0) or the first
 *   problem of each kind (exit 1).
 * - `audit public-key` prints the public keys that signed checkpoints, as PEM, to hand to a
 *   verifier elsewhere (`--public-key`).
 * - `audit verify-proof FILE` checks a proof from `GET /governance/audit/{id}/proof` offline.
 * - `audit rotate-key` replaces the generated checkpoint signing key with a new one, used from
 *   the gateway's next start (`audit/audit-signing-key-rotation.ts`).
 */
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import {
  type AuditTrailVerification,
  checkAuditEntryProof,
  isFailure,
  publicKeysFromPem,
  type TrustedSigningKey,
  toCanonicalAuditTimestamp,
  verifyAuditTrail,
} from '@policy-gateway/governance-runtime';
import { PostgresAuditTrailReader } from '@policy-gateway/governance-runtime/postgres';
import type { Logger } from 'pino';
import { rotateAuditSigningKey } from './audit/audit-signing-key-rotation.js';
import type { Settings } from './config/settings.js';
import { openDatabase } from './db/database.js';
import { EXIT } from './migrate-commands.js';
import { VerificationProgress } from './verification-progress.js';

export const AUDIT_USAGE = `  audit verify [--since T] [--until T] [--public-key FILE]
                   Verify the audit trail's hash chains and signed checkpoints; exit 0 when intact, 1 when not
  audit public-key Print the public keys that signed checkpoints (PEM)
  audit verify-proof FILE
                   Check a proof of one entry (GET /governance/audit/{id}/proof) offline
  audit rotate-key Replace the generated checkpoint signing key; the gateway signs with the
                   new one from its next start, and older checkpoints still verify`;

export type AuditCommand =
  | {
      readonly name: 'audit verify';
      readonly since?: string;
      readonly until?: string;
      readonly publicKeyFile?: string;
    }
  | { readonly name: 'audit public-key' }
  | { readonly name: 'audit verify-proof'; readonly file: string }
  | { readonly name: 'audit rotate-key' };

/** Parses what follows `audit`; a string is a usage error. */
export function parseAuditCommand(args: readonly string[]): AuditCommand | string {
  const [sub, ...rest] = args;
  if (sub === 'public-key' && rest.length === 0) return { name: 'audit public-key' };
  if (sub === 'rotate-key') {
    return rest.length === 0 ? { name: 'audit rotate-key' } : 'audit rotate-key takes no arguments';
  }
  if (sub === 'verify-proof') {
    if (rest.length !== 1 || rest[0]!.startsWith('-')) {
      return 'audit verify-proof takes one argument: the proof file';
    }
    return { name: 'audit verify-proof', file: rest[0]! };
  }
  if (sub !== 'verify') {
    return `unknown command "audit ${args.join(' ')}": expected audit verify, audit public-key, audit verify-proof FILE or audit rotate-key (see --help)`;
  }
  const options: { since?: string; until?: string; publicKeyFile?: string } = {};
  for (let i = 0; i < rest.length; i += 1) {
    const [flag, inline] = splitFlag(rest[i]!);
    const value = inline ?? rest[++i];
    if (value === undefined) return `${flag} needs a value`;
    if (flag === '--since' || flag === '--until') {
      const time = toCanonicalAuditTimestamp(value);
      if (time === null) {
        return `${flag} ${value} is not an RFC 3339 date-time (e.g. 2026-12-01T00:00:00Z)`;
      }
      options[flag === '--since' ? 'since' : 'until'] = time;
    } else if (flag === '--public-key') {
      options.publicKeyFile = value;
    } else {
      return `audit verify does not take ${flag} (it takes --since, --until and --public-key)`;
    }
  }
  if (
    options.since !== undefined &&
    options.until !== undefined &&
    options.since >= options.until
  ) {
    return `--since ${options.since} is not before --until ${options.until}`;
  }
  return { name: 'audit verify', ...options };
}

function splitFlag(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return at === -1 ? [arg, undefined] : [arg.slice(0, at), arg.slice(at + 1)];
}

export interface AuditIo {
  readonly out: Writable;
  /** Progress goes here (a bar when it is a terminal). */
  readonly err: Writable & { readonly isTTY?: boolean };
  readonly log: Pick<Logger, 'info' | 'warn' | 'error'>;
}

export async function runAuditCommand(
  command: AuditCommand,
  settings: Settings,
  io: AuditIo,
): Promise<number> {
  if (command.name === 'audit verify-proof') return verifyProofFile(command.file, io);
  if (command.name === 'audit rotate-key') return rotateKey(settings, io);
  if (settings.store.backend === 'memory') {
    io.err.write(
      'policy-gateway: the memory audit store lives inside the gateway process and cannot be read from here; ask the gateway (GET /governance/audit/integrity)\n',
    );
    return EXIT.FAILURE;
  }
  let trusted: TrustedSigningKey[] | undefined;
  if (command.name === 'audit verify' && command.publicKeyFile !== undefined) {
    const keys = await readTrustedKeys(command.publicKeyFile);
    if (typeof keys === 'string') {
      io.err.write(`policy-gateway: ${keys}\n`);
      return EXIT.FAILURE;
    }
    trusted = keys;
  }
  // No statement timeout: a verification reads the whole trail (in batches).
  const database = await openDatabase(settings.store, { log: io.log, forMigrations: true });
  try {
    const reader = new PostgresAuditTrailReader(database.db);
    if (command.name === 'audit public-key') {
      const keys = await reader.signingKeys();
      if (keys.length === 0) {
        io.err.write('policy-gateway: the audit store holds no signing key yet\n');
        return EXIT.FAILURE;
      }
      for (const key of keys) {
        io.out.write(`key_id ${key.keyId}\n${key.publicKeyPem.trim()}\n`);
      }
      return EXIT.OK;
    }
    const progress = new VerificationProgress(io.err);
    let result: AuditTrailVerification | undefined;
    try {
      result = await verifyAuditTrail(reader, {
        range: {
          ...(command.since === undefined ? {} : { since: command.since }),
          ...(command.until === undefined ? {} : { until: command.until }),
        },
        ...(trusted === undefined
          ? {}
          : { trustedKeys: trusted, trustedKeysSource: command.publicKeyFile }),
        onProgress: (p) => progress.update(p),
      });
    } finally {
      progress.end(result?.entriesChecked);
    }
    for (const line of retentionLines(result)) io.out.write(`${line}\n`);
    io.out.write(`${verificationLine(result)}\n`);
    return result.intact ? EXIT.OK : EXIT.FAILURE;
  } finally {
    await database.close();
  }
}

async function readTrustedKeys(file: string): Promise<TrustedSigningKey[] | string> {
  let pem: string;
  try {
    pem = await readFile(file, 'utf8');
  } catch (error) {
    return `cannot read --public-key ${file}: ${(error as Error).message}`;
  }
  try {
    const keys = publicKeysFromPem(pem);
    return keys.length > 0 ? keys : `--public-key ${file} holds no PEM public key`;
  } catch (error) {
    return `--public-key ${file}: ${(error as Error).message}`;
  }
}

/**
 * The one line a verification ends with, e.g. `checked 1,000,000 entries in 2 chains, 1,000
 * checkpoints: intact` or `… : NOT INTACT: altered: entry … ; missing: …`.
 */
export function verificationLine(result: AuditTrailVerification): string {
  const n = (value: number) => value.toLocaleString('en-US');
  const scope =
    result.since === null && result.until === null
      ? ''
      : ` between ${result.since ?? 'the start'} and ${result.until ?? 'now'}`;
  const head = `checked ${n(result.entriesChecked)} entries in ${n(result.chains)} chain${result.chains === 1 ? '' : 's'}, ${n(result.checkpoints)} checkpoint${result.checkpoints === 1 ? '' : 's'}${scope}`;
  const describe = (failures: boolean) =>
    result.problems
      .filter((p) => isFailure(p.kind) === failures)
      .map((p) => {
        const count = result.problemCounts[p.kind] ?? 1;
        return `${p.kind}${count > 1 ? ` (${n(count)})` : ''}: ${p.message}`;
      });
  const warnings = describe(false);
  const note = warnings.length === 0 ? '' : ` (warnings: ${warnings.join('; ')})`;
  if (result.intact) return `${head}: intact${note}`;
  return `${head}: NOT INTACT: ${describe(true).join('; ')}${note}`;
}

/**
 * One line per chain whose start retention removed, e.g. `chain 0190…: 1–4,200 removed by
 * retention on 2027-01-02 (audit_log_entries_y2026m01), 4,201–9,000 verified`.
 */
export function retentionLines(result: AuditTrailVerification): string[] {
  const n = (value: number) => value.toLocaleString('en-US');
  const lines = result.retention.map((r) => {
    const removed = `${r.removedThroughSeq === 1 ? '1' : `1–${n(r.removedThroughSeq)}`} removed by retention on ${r.removedAt.slice(0, 10)} (${r.partition})`;
    const verified =
      r.verifiedThroughSeq === null
        ? 'no entry left'
        : `${n(r.removedThroughSeq + 1)}–${n(r.verifiedThroughSeq)} verified`;
    return `chain ${r.chainId}: ${removed}, ${verified}`;
  });
  const listed = result.retention.reduce((sum, r) => sum + r.removedThroughSeq, 0);
  if (listed < result.entriesRemovedByRetention) {
    lines.push(
      `(${n(result.entriesRemovedByRetention - listed)} more entries removed by retention in chains not listed)`,
    );
  }
  return lines;
}

function rotateKey(settings: Settings, io: AuditIo): number {
  const rotation = rotateAuditSigningKey({
    keyFile: settings.auditChain.signingKeyFile,
    dataDir: settings.dataDir,
  });
  if (!rotation.rotated) {
    io.err.write(`policy-gateway: ${rotation.message}\n`);
    return EXIT.FAILURE;
  }
  const was =
    rotation.previousKeyId === null
      ? 'there was no key before'
      : `a running gateway signs with the old key ${rotation.previousKeyId} until it is restarted; that key's private half is gone, its public key stays registered in the audit store, so the checkpoints it signed still verify`;
  io.out.write(
    `rotated: new checkpoint signing key ${rotation.key.keyId} in ${rotation.path}, used from the gateway's next start (${was})\n`,
  );
  return EXIT.OK;
}

async function verifyProofFile(file: string, io: AuditIo): Promise<number> {
  let proof: unknown;
  try {
    proof = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    io.err.write(`policy-gateway: cannot read the proof ${file}: ${(error as Error).message}\n`);
    return EXIT.FAILURE;
  }
  const outcome = checkAuditEntryProof(proof);
  io.out.write(`${outcome.valid ? 'valid' : 'INVALID'}: ${outcome.message}\n`);
  return outcome.valid ? EXIT.OK : EXIT.FAILURE;
}
