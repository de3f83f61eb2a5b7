/**
 * The tamper-evidence step of the audit write path (issue 11), opened once per `serve`: this
 * process's hash chain (`HashChainedAuditLog`, a new chain id per run), the checkpoints that
 * sign its head (`ChainCheckpointer`), the public key registered beside the trail, and the
 * seals of earlier chains whose writer died without closing them (sealing after recovery).
 *
 * On a PostgreSQL server shared by replicas, the chain's writer holds an advisory lock for as
 * long as it runs, so that another replica starting meanwhile does not seal a live chain; on
 * an embedded database one process owns the data directory, so every other chain is sealed
 * when its head is not covered; the memory store starts empty and has nothing to seal.
 */
import { randomUUID } from 'node:crypto';
import {
  type AuditCheckpointRepository,
  type AuditWriteObserver,
  ChainCheckpointer,
  type GroupCommitOptions,
  HashChainedAuditLog,
  type LoadedAuditSigningKey,
  publicKeyOf,
  sealAbandonedChains,
} from '@policy-gateway/governance-runtime';
import type {
  HeldChainLock,
  PostgresChainLocks,
} from '@policy-gateway/governance-runtime/postgres';
import type { Logger } from 'pino';
import type { AuditWriteStep } from './compose-audit-write-path.js';

/** What `serve` asks of the write path's tamper evidence. */
export interface TamperEvidenceOptions {
  readonly signingKey: LoadedAuditSigningKey;
  /** The gateway process, as recorded in entries and checkpoints. */
  readonly instance: string;
  readonly checkpointEveryEntries: number;
  readonly checkpointIntervalMs: number;
}

/** Entries accepted by the write path and waiting for a batch to be written. */
export interface AuditWriteQueue {
  readonly queuedEntries: number;
}

/** What `/ready` and the start-up log say about it. */
export interface TamperEvidenceStatus {
  readonly chainId: string;
  readonly signingKeyId: string;
  readonly signingKeySource: 'file' | 'generated';
  /** Earlier chains sealed at start-up (their writer had died). */
  readonly sealedAtStart: number;
  /** The seq the newest checkpoint of this chain signs; 0 before the first. */
  lastCheckpointSeq(): number;
  /** Checkpoints this process could not store. */
  checkpointFailures(): number;
}

export interface OpenedTamperEvidence {
  readonly step: AuditWriteStep;
  readonly status: TamperEvidenceStatus;
  /** The chain's queue of entries waiting for a batch (0 until `step` made the chain). */
  readonly writeQueue: AuditWriteQueue;
  /** Releases what opening took when the store fails to open after it. */
  abandon(): Promise<void>;
}

export async function openTamperEvidence(options: {
  readonly settings: TamperEvidenceOptions;
  readonly checkpoints: AuditCheckpointRepository;
  /** On a PostgreSQL server: the chain locks; undefined where one process owns the store. */
  readonly locks?: PostgresChainLocks;
  /** As for `CommitOutcomeResolver`: how long a write may still commit after it began. */
  readonly settleMs: number;
  /** Group commit: batch size, delay and queue bound of the chain's batches (default: the library's). */
  readonly batching?: GroupCommitOptions;
  /** Told of every batch the chain writes (metrics). */
  readonly writeObserver?: AuditWriteObserver;
  readonly log: Pick<Logger, 'info' | 'warn'>;
}): Promise<OpenedTamperEvidence> {
  const { settings, checkpoints, locks, log } = options;
  const key = settings.signingKey.key;
  const chainId = randomUUID();
  await checkpoints.registerSigningKey(publicKeyOf(key), settings.instance);
  const lock: HeldChainLock | undefined = await locks?.hold(chainId);
  let sealed: Awaited<ReturnType<typeof sealAbandonedChains>>;
  try {
    sealed = await sealAbandonedChains({
      repository: checkpoints,
      key,
      instance: settings.instance,
      ownChainId: chainId,
      ...(locks !== undefined && {
        whileAbandoned: <T>(id: string, seal: () => Promise<T>) => locks.whileAbandoned(id, seal),
      }),
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  for (const seal of sealed) {
    log.warn(
      { chainId: seal.chainId, chainSeq: seal.seq, checkpointId: seal.id },
      `sealed audit chain ${seal.chainId} at seq ${seal.seq}: its writer stopped without closing it (a crash or kill); entries after this seal would be reported as inserted`,
    );
  }
  const checkpointer = new ChainCheckpointer({
    repository: checkpoints,
    key,
    instance: settings.instance,
    everyEntries: settings.checkpointEveryEntries,
    intervalMs: settings.checkpointIntervalMs,
    log,
  });
  let chain: HashChainedAuditLog | undefined;
  const step: AuditWriteStep = (inner) => {
    chain = new HashChainedAuditLog(inner, {
      ...options.batching,
      chainId,
      settleMs: options.settleMs,
      ...(options.writeObserver !== undefined && { writeObserver: options.writeObserver }),
      observer: {
        committed: (head, committed) => checkpointer.committed(head, committed),
        // The final checkpoint, then the lock: the chain is sealed before it looks abandoned.
        closing: async (head) => {
          try {
            await checkpointer.closing(head);
          } finally {
            await lock?.release();
          }
        },
      },
    });
    return chain;
  };
  log.info(
    {
      chainId,
      signingKeyId: key.keyId,
      signingKeySource: settings.signingKey.source,
      signingKeyPath: settings.signingKey.path,
    },
    settings.signingKey.generatedNow
      ? `audit chain ${chainId}: generated a new checkpoint signing key ${key.keyId} in ${settings.signingKey.path} (set POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE to use your own); export the public keys with \`policy-gateway audit public-key\``
      : `audit chain ${chainId}: checkpoints signed with key ${key.keyId} (${settings.signingKey.source === 'file' ? 'from POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE' : 'generated earlier'}: ${settings.signingKey.path})`,
  );
  return {
    step,
    writeQueue: {
      get queuedEntries() {
        return chain?.queuedEntries ?? 0;
      },
    },
    status: {
      chainId,
      signingKeyId: key.keyId,
      signingKeySource: settings.signingKey.source,
      sealedAtStart: sealed.length,
      lastCheckpointSeq: () => checkpointer.lastCheckpoint?.seq ?? 0,
      checkpointFailures: () => checkpointer.failures,
    },
    abandon: async () => {
      await lock?.release();
    },
  };
}
