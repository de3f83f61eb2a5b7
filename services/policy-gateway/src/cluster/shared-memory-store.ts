/**
 * The memory store when several workers serve: one store, kept by the primary, which every
 * worker reads and writes over IPC. Were each worker to keep its own, a read would see only
 * the entries (and API keys) of the worker that happened to take it. Each worker still has
 * its own hash chain on top (`openTamperEvidence`), as with every other store; below it the
 * chain hands over whole batches, so a group of entries costs one message each way. The
 * checkpoints of every chain are kept by the primary too, beside the entries, so that the
 * trail can be verified from any worker (`SharedAuditTrailReader`).
 *
 * `sharedMemoryStoreTargets` is the primary's side, `openSharedMemoryStore` the worker's.
 */
import type {
  AccessLogPage,
  AccessLogQuery,
  AccessLogRecord,
  AccessLogRepository,
  AppendManyOptions,
  AppendManyResult,
  AppendOutcome,
  AuditLogEntry,
  AuditLogEntryRepository,
  AuditLogPage,
  AuditLogQuery,
  AuditPublicKey,
  AuditTrailRange,
  StoredAuditCheckpoint,
} from '@policy-gateway/governance-runtime';
import {
  MemoryAuditCheckpointRepository,
  MemoryAuditTrailReader,
  MemoryChainIndex,
} from '@policy-gateway/governance-runtime/memory';
import type { Logger } from 'pino';
import type {
  ApiKeyRecord,
  ApiKeyRepository,
  NewApiKeyRecord,
} from '../auth/api-key-repository.js';
import type { AuditStore, StoreHealth } from '../store/audit-store.js';
import { composeAuditWritePath } from '../store/compose-audit-write-path.js';
import { DroppedEntriesWarning } from '../store/dropped-entries-warning.js';
import { createMemoryStore, memoryStoreWarning } from '../store/memory-store.js';
import { openTamperEvidence, type TamperEvidenceOptions } from '../store/tamper-evidence.js';
import type { CallTargets, IpcChannel, PrimaryCalls } from './primary-calls.js';
import { SharedAuditCheckpoints } from './shared-audit-checkpoints.js';
import { SharedAuditTrailReader } from './shared-audit-trail-reader.js';
import { fromWireError, toWireError, type WireError } from './wire-error.js';

/** What the primary sends every worker when an API key changed (made or revoked). */
export interface KeyChanged {
  readonly kind: 'pgw:api-key-changed';
  readonly id: string;
}

/**
 * What the primary sends every worker when entries were committed, through any worker: each
 * worker's live tails read the trail again (`AuditStore.commits`).
 */
export interface EntriesCommitted {
  readonly kind: 'pgw:audit-committed';
}

type WireOutcome =
  | Exclude<AppendOutcome, { error: unknown }>
  | (Omit<Extract<AppendOutcome, { error: unknown }>, 'error'> & { readonly error: WireError });

interface WireAppendManyResult {
  readonly results: readonly WireOutcome[];
  readonly error?: WireError;
}

function toWireResult(result: AppendManyResult): WireAppendManyResult {
  return {
    results: result.results.map((outcome) =>
      'error' in outcome ? { ...outcome, error: toWireError(outcome.error) } : outcome,
    ),
    ...(result.error !== undefined && { error: toWireError(result.error) }),
  };
}

function fromWireResult(wire: WireAppendManyResult): AppendManyResult {
  return {
    results: wire.results.map(
      (outcome) =>
        ('error' in outcome
          ? { ...outcome, error: fromWireError(outcome.error) }
          : outcome) as AppendOutcome,
    ),
    ...(wire.error !== undefined && { error: fromWireError(wire.error) }),
  };
}

/**
 * The primary's memory store and what workers may call on it.
 *
 * @example
 * const shared = sharedMemoryStoreTargets(settings.store.maxEntries, log);
 * answerCalls(channelOf(worker), shared.targets);
 */
export function sharedMemoryStoreTargets(
  maxEntries: number,
  log: Pick<Logger, 'warn'>,
): {
  readonly targets: CallTargets;
  /** Sends every change of an API key (made, revoked) to `announce`, for every worker's cache. */
  onKeyChange(announce: (message: KeyChanged) => void): () => void;
  /** Sends a notice to `announce` after each commit of entries, for every worker's live tails. */
  onCommit(announce: (message: EntriesCommitted) => void): () => void;
  close(): Promise<void>;
} {
  const store = createMemoryStore(maxEntries);
  // The chain index next to the storage, and the checkpoints of every worker's chain beside
  // it: the trail as one, which any worker reads back to verify (`SharedAuditTrailReader`).
  const index = new MemoryChainIndex(store.repository);
  const entries = new DroppedEntriesWarning(index, { counter: store.repository, log });
  const checkpoints = new MemoryAuditCheckpointRepository();
  const trail = new MemoryAuditTrailReader(index, checkpoints);
  const { accessLog, apiKeys } = store;
  const committed = new Set<(message: EntriesCommitted) => void>();
  const announceCommit = () => {
    for (const announce of committed) announce({ kind: 'pgw:audit-committed' });
  };
  return {
    targets: {
      auditLog: {
        append: async (entry: AuditLogEntry) => {
          await entries.append(entry);
          announceCommit();
        },
        appendMany: async (batch: readonly AuditLogEntry[], options?: AppendManyOptions) => {
          const result = await entries.appendMany(batch, options);
          if (result.results.some((outcome) => outcome.status === 'committed')) announceCommit();
          return toWireResult(result);
        },
        findById: (id: string) => entries.findById(id),
        findByIdempotencyKey: (userId: string, key: string) =>
          entries.findByIdempotencyKey(userId, key),
        query: (query: AuditLogQuery) => entries.query(query),
      },
      accessLog: {
        append: (record: AccessLogRecord) => accessLog.append(record),
        query: (query: AccessLogQuery) => accessLog.query(query),
      },
      apiKeys: {
        insert: (record: NewApiKeyRecord) => apiKeys.insert(record),
        findById: (id: string) => apiKeys.findById(id),
        list: (options: { readonly limit: number }) => apiKeys.list(options),
        revoke: (id: string, at: Date) => apiKeys.revoke(id, at),
        touch: (id: string, at: Date) => apiKeys.touch(id, at),
      },
      checkpoints: {
        registerSigningKey: (key: AuditPublicKey) => checkpoints.registerSigningKey(key),
        signingKeys: () => checkpoints.signingKeys(),
        append: (checkpoint: StoredAuditCheckpoint) => checkpoints.append(checkpoint),
        checkpoints: (chainId?: string) => checkpoints.checkpoints(chainId),
        latest: (chainId: string) => checkpoints.latest(chainId),
      },
      auditTrail: {
        chainSegments: (range: AuditTrailRange) => trail.chainSegments(range),
        entryPage: (chainId: string, fromSeq: number, toSeq: number | null, limit: number) =>
          trail.entryPage(chainId, fromSeq, toSeq ?? undefined, Math.min(limit, 1000)),
        checkpointAtOrBefore: (chainId: string, seq: number) =>
          trail.checkpointAtOrBefore(chainId, seq),
        checkpointAtOrAfter: (chainId: string, seq: number) =>
          trail.checkpointAtOrAfter(chainId, seq),
        unchainedEntries: (range: AuditTrailRange) => trail.unchainedEntries(range),
        signingKeys: () => trail.signingKeys(),
        cut: (chainId: string) => trail.cutOf(chainId),
      },
      store: { check: () => store.check() },
    },
    onKeyChange: (announce) =>
      apiKeys.onChange((id) => announce({ kind: 'pgw:api-key-changed', id })),
    onCommit: (announce) => {
      committed.add(announce);
      return () => {
        committed.delete(announce);
      };
    },
    close: () => store.close(),
  };
}

class SharedAuditLog implements AuditLogEntryRepository {
  readonly durable = false;
  constructor(readonly calls: PrimaryCalls) {}
  append(entry: AuditLogEntry): Promise<void> {
    return this.calls.call('auditLog', 'append', [entry]);
  }
  async appendMany(
    entries: readonly AuditLogEntry[],
    options?: AppendManyOptions,
  ): Promise<AppendManyResult> {
    const args = options === undefined ? [entries] : [entries, options];
    try {
      return fromWireResult(await this.calls.call('auditLog', 'appendMany', args));
    } catch (error) {
      // The primary did not answer: as a storage failure, every entry failed (none is known
      // to be committed, and none was, unless the answer was lost on its way back).
      return { results: entries.map((e) => ({ id: e.id, status: 'failed', error })), error };
    }
  }
  findById(id: string): Promise<AuditLogEntry | undefined> {
    return this.calls.call('auditLog', 'findById', [id]);
  }
  findByIdempotencyKey(userId: string, key: string): Promise<AuditLogEntry | undefined> {
    return this.calls.call('auditLog', 'findByIdempotencyKey', [userId, key]);
  }
  query(query: AuditLogQuery): Promise<AuditLogPage> {
    return this.calls.call('auditLog', 'query', [query]);
  }
  /** The primary closes the store; a worker only stops using it. */
  async close(): Promise<void> {}
}

class SharedAccessLog implements AccessLogRepository {
  readonly durable = false;
  constructor(readonly calls: PrimaryCalls) {}
  append(record: AccessLogRecord): Promise<void> {
    return this.calls.call('accessLog', 'append', [record]);
  }
  query(query: AccessLogQuery): Promise<AccessLogPage> {
    return this.calls.call('accessLog', 'query', [query]);
  }
  async close(): Promise<void> {}
}

class SharedApiKeys implements ApiKeyRepository {
  readonly durable = false;
  constructor(
    readonly calls: PrimaryCalls,
    readonly channel: IpcChannel,
  ) {}
  insert(record: NewApiKeyRecord): Promise<void> {
    return this.calls.call('apiKeys', 'insert', [record]);
  }
  findById(id: string): Promise<ApiKeyRecord | undefined> {
    return this.calls.call('apiKeys', 'findById', [id]);
  }
  list(options: { readonly limit: number }): Promise<readonly ApiKeyRecord[]> {
    return this.calls.call('apiKeys', 'list', [options]);
  }
  revoke(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    return this.calls.call('apiKeys', 'revoke', [id, at]);
  }
  touch(id: string, at: Date): Promise<void> {
    return this.calls.call('apiKeys', 'touch', [id, at]);
  }
  /** Changes made through any worker: the primary announces each to all of them. */
  onChange(listener: (id: string) => void): () => void {
    return this.channel.listen((message) => {
      if ((message as KeyChanged | null)?.kind === 'pgw:api-key-changed') {
        listener((message as KeyChanged).id);
      }
    });
  }
}

/** A worker's view of the primary's memory store, without a chain (as `createMemoryStore`). */
export function sharedMemoryStore(
  calls: PrimaryCalls,
  channel: IpcChannel,
  maxEntries: number,
): AuditStore {
  return {
    backend: 'memory',
    durable: false,
    repository: new SharedAuditLog(calls),
    accessLog: new SharedAccessLog(calls),
    apiKeys: new SharedApiKeys(calls, channel),
    // Commits through any worker, which the primary announces to all of them.
    commits: {
      subscribe: (listener) =>
        channel.listen((message) => {
          if ((message as EntriesCommitted | null)?.kind === 'pgw:audit-committed') listener();
        }),
      close: async () => {},
    },
    warnings: [memoryStoreWarning(maxEntries)],
    async check(): Promise<StoreHealth> {
      try {
        return await calls.call<StoreHealth>('store', 'check');
      } catch (error) {
        return {
          reachable: false,
          schema: 'unknown',
          problem: error instanceof Error ? error.message : String(error),
        };
      }
    },
    close: async () => {},
  };
}

/**
 * The worker's memory store for `serve`: the primary's, with this worker's own hash chain on
 * its write path (as `openAuditStore` does for a memory store of its own).
 */
export async function openSharedMemoryStore(
  calls: PrimaryCalls,
  channel: IpcChannel,
  maxEntries: number,
  options: {
    readonly tamperEvidence: TamperEvidenceOptions;
    readonly log: Pick<Logger, 'info' | 'warn'>;
  } & Pick<Parameters<typeof openTamperEvidence>[0], 'writeObserver' | 'batching'>,
): Promise<AuditStore> {
  const store = sharedMemoryStore(calls, channel, maxEntries);
  const chain = await openTamperEvidence({
    settings: options.tamperEvidence,
    checkpoints: new SharedAuditCheckpoints(calls),
    settleMs: 0,
    log: options.log,
    ...(options.batching !== undefined && { batching: options.batching }),
    ...(options.writeObserver !== undefined && { writeObserver: options.writeObserver }),
  });
  return {
    ...composeAuditWritePath(store, [chain.step]),
    trail: new SharedAuditTrailReader(calls, {
      key: options.tamperEvidence.signingKey.key,
      removedBy: options.tamperEvidence.instance,
    }),
    tamperEvidence: chain.status,
    writeQueue: chain.writeQueue,
  };
}
