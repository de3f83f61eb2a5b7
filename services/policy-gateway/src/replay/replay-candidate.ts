/**
 * The candidate bundle of a replay, compiled into an engine of its own: the embedded engine on
 * one worker thread of its own (`WorkerPolicyEngine`), as the shadow bundle is, so a replay
 * never takes a turn on the threads that serve decisions and never blocks the main thread. An
 * uploaded `.tar.gz` is bounded before it is decoded and read by the bundle loader's archive
 * reader (its inflated size and file count bounded too); a bundle that does not load or compile
 * is refused with the loader's message (`file:line:col`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ReplayKnownBundle } from '@policy-gateway/gateway-contract';
import type { PolicyEngine } from '../policy/policy-engine.js';
import { WorkerPolicyEngine } from '../policy/worker-policy-engine.js';

/** Where the bundles the gateway knows are, and how the candidate is evaluated. */
export interface ReplayBundles {
  /** POLICY_GATEWAY_POLICY_BUNDLE_DIR. */
  readonly active: string;
  /** POLICY_GATEWAY_SHADOW_BUNDLE_DIR, when one is configured. */
  readonly shadow?: string;
  /** The decision document the candidate is asked for (the active policy's path). */
  readonly policyPath: string;
  /** The budget of one evaluation (POLICY_GATEWAY_EVAL_TIMEOUT_MS). */
  readonly timeoutMs?: number;
  readonly httpAllowedHosts?: readonly string[];
}

/** An uploaded `.tar.gz`, a bundle the gateway runs, or a directory or archive on this machine (the CLI). */
export type CandidateSource =
  | { readonly upload: Buffer }
  | { readonly known: ReplayKnownBundle }
  | { readonly path: string };

/** The candidate cannot be used: unknown, too large, unreadable or not compiling. */
export class ReplayCandidateError extends Error {
  override readonly name = 'ReplayCandidateError';
  constructor(
    message: string,
    readonly reason: 'unknown' | 'too-large' | 'invalid',
  ) {
    super(message);
  }
}

export interface ReplayCandidate {
  readonly source: 'upload' | 'file' | ReplayKnownBundle;
  readonly engine: PolicyEngine;
}

/** Compiles the candidate on a worker thread of its own; the caller closes its engine. */
export async function startReplayCandidate(
  source: CandidateSource,
  bundles: ReplayBundles,
  maxBundleBytes: number,
): Promise<ReplayCandidate> {
  if ('path' in source) {
    return { source: 'file', engine: await startEngine(source.path, bundles, source.path) };
  }
  if ('known' in source) {
    const dir = source.known === 'active' ? bundles.active : bundles.shadow;
    if (dir === undefined) {
      throw new ReplayCandidateError(
        'no shadow bundle is configured (POLICY_GATEWAY_SHADOW_BUNDLE_DIR); upload the candidate or pick the active bundle',
        'unknown',
      );
    }
    return { source: source.known, engine: await startEngine(dir, bundles, dir) };
  }
  if (source.upload.length > maxBundleBytes) {
    throw new ReplayCandidateError(
      `the candidate bundle is ${source.upload.length} bytes; a replay takes at most ${maxBundleBytes}`,
      'too-large',
    );
  }
  // The loader reads archives from a file; this one lives only until its threads compiled it.
  const dir = await mkdtemp(path.join(tmpdir(), 'policy-gateway-replay-'));
  try {
    const file = path.join(dir, 'candidate.tar.gz');
    await writeFile(file, source.upload, { mode: 0o600 });
    return { source: 'upload', engine: await startEngine(file, bundles, 'the uploaded bundle') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function startEngine(
  bundleDir: string,
  bundles: ReplayBundles,
  label: string,
): Promise<PolicyEngine> {
  try {
    return await WorkerPolicyEngine.start({
      bundleDir,
      policyPath: bundles.policyPath,
      threads: 1,
      ...(bundles.timeoutMs === undefined ? {} : { timeoutMs: bundles.timeoutMs }),
      ...(bundles.httpAllowedHosts === undefined
        ? {}
        : { httpAllowedHosts: bundles.httpAllowedHosts }),
    });
  } catch (error) {
    // A temporary file's path means nothing to the caller: named as what it is.
    const message = (error instanceof Error ? error.message : String(error)).replaceAll(
      bundleDir,
      label,
    );
    throw new ReplayCandidateError(`the candidate bundle cannot be used: ${message}`, 'invalid');
  }
}
