// The audit domain and its port. Adapters are separate entry points
// (`@policy-gateway/governance-runtime/memory`, `/postgres`, `/testing`) so that
// importing the domain never loads a database driver.
export type { AccessLogPage, AccessLogQuery } from './access-log-query.js';
export { ACCESS_LOG_MAX_ENTRY_IDS, type AccessLogRecord } from './access-log-record.js';
export type { AccessLogRepository } from './access-log-repository.js';
export {
  type AccessLogRetentionPayload,
  type AccessLogRetentionRecord,
  accessLogRetentionRecordProblem,
  newAccessLogRetentionRecord,
} from './access-log-retention-record.js';
export type { AppendManyOptions } from './append-many-options.js';
export type { AppendManyResult, AppendOutcome, AppendStatus } from './append-many-result.js';
export { AtomicBatchRefusedError } from './atomic-batch-refused-error.js';
export { type AuditChainLink, CHAIN_HASH_PATTERN } from './audit-chain-link.js';
export {
  AUDIT_CHECKPOINT_PAYLOAD_VERSION,
  type AuditCheckpointPayload,
  auditCheckpointPayloadText,
  parseAuditCheckpointPayload,
  type SignedAuditCheckpoint,
  signAuditCheckpoint,
} from './audit-checkpoint-payload.js';
export type {
  AuditCheckpointRepository,
  UnsealedChainHead,
} from './audit-checkpoint-repository.js';
export {
  AUDIT_ENTRY_HASH_VERSION,
  type AuditChainPosition,
  auditEntryDigest,
  auditEntryDigestPreimage,
  auditEntryHash,
  auditEntryHashPreimage,
  auditLinkHash,
  chainGenesisHash,
  snakeCase,
} from './audit-entry-hash.js';
export type { AuditEntryMasking, RedactedSpans } from './audit-entry-masking.js';
export {
  AUDIT_ENTRY_PROOF_FORMAT,
  AUDIT_ENTRY_PROOF_MAX_LINKS,
  type AuditEntryProof,
  type AuditEntryProofRefusal,
  type AuditProofLink,
  buildAuditEntryProof,
  isAuditEntryProofRefusal,
} from './audit-entry-proof.js';
export { type AuditEntryProofOutcome, checkAuditEntryProof } from './audit-entry-proof-check.js';
export {
  type AuditLogCursor,
  decodeAuditLogCursor,
  encodeAuditLogCursor,
  InvalidCursorError,
} from './audit-log-cursor.js';
export {
  AUDIT_LOG_CURSOR_KEY_MIN_BYTES,
  AuditLogCursorSigner,
} from './audit-log-cursor-signer.js';
export type {
  AuditDecision,
  AuditLogEntry,
  AuditReason,
  ReasonSeverity,
} from './audit-log-entry.js';
export { AUDIT_DECISIONS } from './audit-log-entry.js';
export type { AuditLogEntryRepository } from './audit-log-entry-repository.js';
export { AuditLogEntryRepositoryDecorator } from './audit-log-entry-repository-decorator.js';
export { auditLogEntrySize } from './audit-log-entry-size.js';
export type { AuditLogPage, AuditLogQuery } from './audit-log-query.js';
export {
  type AuditRetentionPayload,
  type AuditRetentionRecord,
  newAuditRetentionRecord,
  retentionRecordProblem,
} from './audit-retention-record.js';
export {
  AUDIT_SHADOW_FILTERS,
  type AuditShadowDecision,
  type AuditShadowFilter,
  matchesShadowFilter,
} from './audit-shadow-decision.js';
export {
  AUDIT_SIGNING_ALGORITHM,
  type AuditPublicKey,
  type AuditSigningKey,
  auditSigningKeyFromPem,
  generateAuditSigningKey,
  publicKeyOf,
  signingKeyIdOf,
} from './audit-signing-key.js';
export type {
  AuditStats,
  AuditStatsBucketSummary,
  AuditStatsPolicyVersion,
  AuditStatsReason,
  AuditStatsSource,
  AuditStatsUser,
  DecisionCounts,
  LatencyPercentiles,
} from './audit-stats.js';
export {
  type AuditStatsCounts,
  assembleAuditStats,
  type LatencyKind,
} from './audit-stats-assembly.js';
export {
  AUDIT_STATS_BUCKETS,
  AUDIT_STATS_DEFAULT_DAYS,
  AUDIT_STATS_DEFAULT_TOP,
  AUDIT_STATS_MAX_BUCKETS,
  AUDIT_STATS_MAX_RANGE_DAYS,
  AUDIT_STATS_MAX_TOP,
  type AuditStatsBucket,
  type AuditStatsQuery,
  type ResolvedAuditStatsQuery,
  resolveAuditStatsQuery,
} from './audit-stats-query.js';
export type { AuditStatsReader } from './audit-stats-reader.js';
export {
  auditTimestampNow,
  formatEpochMicros,
  isCanonicalAuditTimestamp,
  toCanonicalAuditTimestamp,
} from './audit-timestamp.js';
export {
  AUDIT_TRAIL_PROBLEM_KINDS,
  type AuditChainHead,
  type AuditChainRetention,
  type AuditTrailProblem,
  type AuditTrailProblemKind,
  type AuditTrailVerification,
  isFailure,
  MAX_FAILED_ENTRY_IDS,
  MAX_REPORTED_CHAIN_HEADS,
} from './audit-trail-problem.js';
export type {
  AuditChainSegment,
  AuditTrailRange,
  AuditTrailReader,
  StoredAuditCheckpoint,
  StoredSigningKey,
} from './audit-trail-reader.js';
export {
  type AuditTrailProgress,
  type VerifyAuditTrailOptions,
  verifyAuditTrail,
} from './audit-trail-verifier.js';
export type { AuditBatchWritten, AuditWriteObserver } from './audit-write-observer.js';
export { AuditWriteQueueFullError } from './audit-write-queue-full-error.js';
export { ChainCheckpointer, type ChainCheckpointerOptions } from './chain-checkpointer.js';
export type { ChainHead, ChainHeadObserver } from './chain-head.js';
export {
  type CheckpointCheck,
  type CheckpointOutcome,
  checkpointCheck,
  publicKeyId,
  publicKeysFromPem,
  type TrustedSigningKey,
  trustStoredKeys,
} from './checkpoint-check.js';
export {
  CommitOutcomeResolver,
  type CommitOutcomeResolverOptions,
} from './commit-outcome-resolver.js';
export { CommitOutcomeUnknownError } from './commit-outcome-unknown-error.js';
export { type DigestedAuditEntry, digestAuditEntry } from './digested-audit-entry.js';
export { DuplicateAccessLogRecordError } from './duplicate-access-log-record-error.js';
export { DuplicateAuditLogEntryError } from './duplicate-audit-log-entry-error.js';
export { DuplicateIdempotencyKeyError } from './duplicate-idempotency-key-error.js';
export {
  GROUP_COMMIT_DEFAULTS,
  type GroupCommitOptions,
  GroupCommitQueue,
  type QueuedWrite,
} from './group-commit-queue.js';
export { handOverJson, isHandedOverJson } from './handed-over-json.js';
export {
  ChainClosedError,
  HashChainedAuditLog,
  type HashChainedAuditLogOptions,
} from './hash-chained-audit-log.js';
export {
  type AccessLogQueryField,
  InvalidAccessLogQueryError,
} from './invalid-access-log-query-error.js';
export { InvalidAccessLogRecordError } from './invalid-access-log-record-error.js';
export { InvalidAuditLogEntryError } from './invalid-audit-log-entry-error.js';
export { type AuditQueryField, InvalidAuditQueryError } from './invalid-audit-query-error.js';
export {
  type AuditStatsQueryField,
  InvalidAuditStatsQueryError,
} from './invalid-audit-stats-query-error.js';
export {
  LATENCY_BINS_PER_OCTAVE,
  LATENCY_MAX_BIN,
  LATENCY_MIN_BIN,
  LatencyHistogram,
  latencyBin,
  latencyOfBin,
} from './latency-histogram.js';
export {
  AuditSigningKeyError,
  GENERATED_SIGNING_KEY_FILE,
  type LoadedAuditSigningKey,
  loadAuditSigningKey,
} from './load-audit-signing-key.js';
export {
  CHECKPOINT_REASONS,
  type CheckpointReason,
  newAuditCheckpoint,
} from './new-audit-checkpoint.js';
export {
  auditLogEntryIdOf,
  isAuditLogEntryId,
  newAuditLogEntryId,
} from './new-audit-log-entry-id.js';
export { PreparedAuditLogBatch } from './prepared-audit-log-batch.js';
export {
  ACCESS_LOG_QUERY_MAX_LIMIT,
  type ResolvedAccessLogQuery,
  resolveAccessLogQuery,
} from './resolved-access-log-query.js';
export {
  AUDIT_QUERY_MAX_LIMIT,
  type ResolvedAuditLogQuery,
  resolveAuditLogQuery,
} from './resolved-audit-log-query.js';
export { type SealAbandonedChainsOptions, sealAbandonedChains } from './seal-abandoned-chains.js';
export { SEALED_ORIGINAL_VERSION, type SealedOriginal } from './sealed-original.js';
export { toStorableAccessLogRecord } from './storable-access-log-record.js';
export { toStorableAuditLogEntry } from './storable-audit-log-entry.js';
