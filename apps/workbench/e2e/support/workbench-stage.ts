// What every browser test stands on: a real gateway on a fresh embedded database in a temporary
// directory, the built Workbench served by its own server (forwarding /api to that gateway), and
// Debian's Chromium. Each test file starts one stage and stops it; what differs between them (the
// gateway's settings, what is written before it starts) is passed in.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuditLogEntry, formatEpochMicros } from '@policy-gateway/governance-runtime';
import {
  openPgliteAuditLogDatabase,
  PostgresAuditLogEntryRepository,
} from '@policy-gateway/governance-runtime/postgres';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { auditAccessibility, describeViolations } from './axe-audit.js';
import { freePort } from './free-port.js';
import { GatewayProcess } from './gateway-process.js';
import { WorkbenchPreview } from './workbench-preview.js';

export const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const repoRoot = resolve(appRoot, '../..');
/** Logs and screenshots, kept after the run. */
export const resultsDir = join(appRoot, 'test-results');

export interface WorkbenchStageOptions {
  /** Names the temporary directory and the log files in test-results/. */
  name: string;
  /** The gateway's own settings, decided once the Workbench's origins are known. */
  gatewayEnv?: (preview: WorkbenchPreview) => Promise<Record<string, string>>;
  /** Runs once the database is migrated and before the gateway holds its data directory. */
  beforeGatewayStarts?: (gateway: GatewayProcess, dataDir: string) => Promise<void>;
}

export interface WorkbenchStage {
  workDir: string;
  gateway: GatewayProcess;
  preview: WorkbenchPreview;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startWorkbenchStage(options: WorkbenchStageOptions): Promise<WorkbenchStage> {
  await mkdir(resultsDir, { recursive: true });
  const workDir = await mkdtemp(join(tmpdir(), `workbench-${options.name}-e2e-`));
  const [gatewayPort, previewPort] = [await freePort(), await freePort()];
  const dataDir = join(workDir, 'gateway-data');
  const preview = new WorkbenchPreview({
    appRoot,
    outDir: join(workDir, 'dist'),
    port: previewPort,
    logFile: join(resultsDir, `${options.name}-preview.log`),
  });
  const gateway = new GatewayProcess({
    repoRoot,
    dataDir,
    port: gatewayPort,
    logFile: join(resultsDir, `${options.name}-gateway.log`),
    env: (await options.gatewayEnv?.(preview)) ?? {},
  });
  await Promise.all([gateway.migrate(), preview.build()]);
  await options.beforeGatewayStarts?.(gateway, dataDir);
  // Same origin: the Workbench's server forwards /api to the gateway.
  await Promise.all([gateway.start(), preview.start(gateway.url)]);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    workDir,
    gateway,
    preview,
    browser,
    async stop() {
      await browser.close();
      await preview.stop();
      await gateway.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * Writes `entries` into the embedded database in `dataDir` as the gateway's own repository does
 * (roll-ups and chain included). Only while no gateway holds the directory: the embedded database
 * is one process's at a time.
 */
export async function seedEmbeddedTrail(dataDir: string, entries: AuditLogEntry[]): Promise<void> {
  const { db } = await openPgliteAuditLogDatabase(join(dataDir, 'pglite'));
  try {
    const { results } = await new PostgresAuditLogEntryRepository(db).appendMany(entries);
    expect(results.every((r) => r.status === 'committed')).toBe(true);
  } finally {
    await db.destroy();
  }
}

/** A recorded decision of the shipped policy path, as a seed: what a test cares about is given. */
export function seededEntry(
  fields: Pick<AuditLogEntry, 'decisionId' | 'userId' | 'decision' | 'input' | 'result'> &
    Partial<AuditLogEntry> & { at: number },
): AuditLogEntry {
  const { at, ...given } = fields;
  return {
    id: crypto.randomUUID(),
    occurredAt: formatEpochMicros(at * 1000),
    principalId: 'key:seed',
    action: 'policy.evaluate',
    reasons: [],
    policyPath: 'data.policy_gateway.decision',
    policyVersion: 'sha256:1111aaaa2222bbbb3333',
    policyEngine: 'embedded',
    error: null,
    latencyMs: 0.3,
    requestId: null,
    clientRequestId: null,
    clientAddress: '127.0.0.1',
    userAgent: 'seed',
    gatewayInstance: 'seed',
    idempotencyKey: null,
    requestDigest: null,
    ...given,
  };
}

/** Fails, listing each rule and element, if axe finds a serious or critical WCAG 2.1 A/AA violation. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  expect(describeViolations(where, await auditAccessibility(page))).toBe('');
}
