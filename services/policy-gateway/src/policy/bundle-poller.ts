/**
 * Bundle polling (`POLICY_GATEWAY_BUNDLE_URL`), the way OPA's bundle plugin does it: the
 * bundle (`.tar.gz`) is fetched every interval with `If-None-Match` and an optional bearer
 * token; a new one is written to a file, an engine is started on it (which compiles it), and
 * only then does it become active (`SwitchablePolicyEngine.switchTo`). A bundle that cannot
 * be fetched, read or compiled leaves the active one in place, and `status()` says why, for
 * `/ready` and the log. A download is bounded in bytes and in time.
 */

import type { KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readBundleArchive } from './bundle-archive.js';
import { verifyBundleSignature } from './bundle-signature.js';
import type { PolicyEngine } from './policy-engine.js';
import type { SwitchablePolicyEngine } from './switchable-policy-engine.js';

export interface BundlePollerOptions {
  readonly url: string;
  /** Sent as `Authorization: Bearer …` when set. */
  readonly token?: string;
  readonly intervalMs: number;
  /** How long one download may take. */
  readonly timeoutMs: number;
  /** The largest bundle accepted, compressed. */
  readonly maxBytes: number;
  /** Starts an engine on the bundle file; rejects when it does not load or compile. */
  readonly startEngine: (bundleFile: string) => Promise<PolicyEngine>;
  /** When set, a bundle is activated only if its `.signatures.json` verifies with this key. */
  readonly verificationKey?: KeyObject;
  readonly engine: SwitchablePolicyEngine;
  readonly log: {
    info(object: object, message: string): void;
    warn(object: object, message: string): void;
  };
}

/** What `/ready` shows of polling. */
export interface BundlePollStatus {
  readonly url: string;
  /** The version of the active bundle (its manifest's revision, or its digest). */
  readonly activeVersion: string;
  /** When the last poll ended (ISO 8601), null before the first. */
  readonly lastCheckAt: string | null;
  /** Why the last fetched bundle was not activated; null when the last poll succeeded. */
  readonly lastError: string | null;
}

export class BundlePoller {
  readonly #options: BundlePollerOptions;
  #etag: string | undefined;
  #lastCheckAt: string | null = null;
  #lastError: string | null = null;
  #timer: NodeJS.Timeout | undefined;
  #dir: string | undefined;
  #downloads = 0;
  #stopped = false;
  #polling: Promise<void> | undefined;

  constructor(options: BundlePollerOptions) {
    this.#options = options;
  }

  status(): BundlePollStatus {
    return {
      url: this.#options.url,
      activeVersion: this.#options.engine.policyVersion,
      lastCheckAt: this.#lastCheckAt,
      lastError: this.#lastError,
    };
  }

  /** Polls now, then every interval until `stop`. */
  start(): void {
    const tick = async () => {
      await this.pollOnce();
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#options.intervalMs).unref();
    };
    void tick();
  }

  /** One poll; never rejects (a failure is recorded in `status()` and the log). */
  pollOnce(): Promise<void> {
    this.#polling ??= this.#poll().finally(() => {
      this.#polling = undefined;
    });
    return this.#polling;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#polling;
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
  }

  async #poll(): Promise<void> {
    const { url, log } = this.#options;
    try {
      const fetched = await this.#fetch();
      if (fetched !== undefined) {
        const engine = await this.#activatable(fetched.file).catch(async (error) => {
          // Kept only while an engine may read it again (a worker thread that is replaced).
          await rm(fetched.file, { force: true });
          throw new Error(`the bundle does not load: ${(error as Error).message}`);
        });
        await this.#options.engine.switchTo(engine);
        this.#etag = fetched.etag;
        log.info({ url, version: engine.policyVersion }, 'new policy bundle active');
      }
      this.#lastError = null;
      this.#options.engine.reportProblem(null);
    } catch (error) {
      this.#lastError = (error as Error).message;
      this.#options.engine.reportProblem(
        `the policy bundle at ${url} was not activated (${this.#lastError}); version ${this.#options.engine.policyVersion} stays active`,
      );
      log.warn(
        { url, error: this.#lastError, activeVersion: this.#options.engine.policyVersion },
        'policy bundle not updated; the active bundle stays',
      );
    } finally {
      this.#lastCheckAt = new Date().toISOString();
    }
  }

  /** The engine on the bundle, once its signature verifies (when a key is configured). */
  async #activatable(file: string): Promise<PolicyEngine> {
    const key = this.#options.verificationKey;
    if (key !== undefined) await verifyBundleSignature(await readBundleArchive(file), key);
    return this.#options.startEngine(file);
  }

  /** The new bundle written to a file, or undefined when it has not changed (304). */
  async #fetch(): Promise<{ file: string; etag: string | undefined } | undefined> {
    const { url, token, timeoutMs, maxBytes } = this.#options;
    const headers: Record<string, string> = {};
    if (this.#etag !== undefined) headers['if-none-match'] = this.#etag;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new Error(`cannot fetch ${url}: ${(error as Error).message}`);
    }
    if (response.status === 304) return undefined;
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`${url} answered ${response.status}; expected 200 with a bundle`);
    }
    const bytes = await readBounded(response, maxBytes, url);
    this.#dir ??= await mkdtemp(path.join(tmpdir(), 'policy-gateway-bundles-'));
    this.#downloads += 1;
    const file = path.join(this.#dir, `bundle-${this.#downloads}.tar.gz`);
    await writeFile(file, bytes);
    return { file, etag: response.headers.get('etag') ?? undefined };
  }
}

async function readBounded(response: Response, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new Error(`${url} serves a bundle of ${declared} bytes, over the ${maxBytes} allowed`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body ?? []) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      throw new Error(`${url} serves a bundle over the ${maxBytes} bytes allowed`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
