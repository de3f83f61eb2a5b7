// Signing in to the Workbench in a real browser (Debian's Chromium through playwright-core),
// against the real gateway with POLICY_GATEWAY_AUTH=on on a fresh embedded database and a real
// OpenID Connect provider (oidc-provider, the harness the gateway's own OIDC tests use), on both
// http://localhost and http://127.0.0.1: API keys made with the real `policy-gateway keys
// create`, a wrong key, OIDC authorization code + PKCE, tabs hidden by role, signing out, and a
// key revoked by an administrator (POST /admin/keys/{id}/revoke) ending the session. Each screen is audited with axe-core (WCAG 2.1 A/AA).
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type OidcTestProvider,
  startOidcTestProvider,
} from '../../../services/policy-gateway/tests/support/oidc-test-provider.js';
import type { GatewayProcess } from './support/gateway-process.js';
import type { WorkbenchPreview } from './support/workbench-preview.js';
import {
  expectAccessible as expectPageAccessible,
  resultsDir,
  startWorkbenchStage,
  type WorkbenchStage,
} from './support/workbench-stage.js';

let stage: WorkbenchStage;
let idp: OidcTestProvider;
let gateway: GatewayProcess;
let preview: WorkbenchPreview;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const keys: Record<'auditor' | 'evaluator' | 'revoked' | 'admin', { id: string; key: string }> = {
  auditor: { id: '', key: '' },
  evaluator: { id: '', key: '' },
  revoked: { id: '', key: '' },
  admin: { id: '', key: '' },
};

/** Both names a browser may use for the Workbench on this machine. */
const HOST_NAMES = ['127.0.0.1', 'localhost'] as const;

function originFor(name: (typeof HOST_NAMES)[number]): string {
  return name === 'localhost' ? preview.localhostOrigin : preview.origin;
}

async function expectAccessible(where: string): Promise<void> {
  await expectPageAccessible(page, where);
}

/** The tabs an auditor sees: the trail's views, and the Gateway's status. */
const AUDITOR_TABS = ['Overview', 'Audit Log', 'Replay', 'Gateway'];

async function tabNames(): Promise<string[]> {
  await page.getByRole('tablist').waitFor();
  return page.getByRole('tab').allTextContents();
}

async function signInWithKey(origin: string, key: string): Promise<void> {
  await page.goto(`${origin}/governance`);
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in with the key' }).click();
}

/** What this tab keeps: its sessionStorage (values unwrapped), localStorage size and cookies. */
async function storedCredentials(): Promise<{ session: string; local: number; cookies: number }> {
  const session = await page.evaluate(() => Object.values(window.sessionStorage).join('\n'));
  const local = await page.evaluate(() => window.localStorage.length);
  return { session, local, cookies: (await context.cookies(preview.origin)).length };
}

beforeAll(async () => {
  stage = await startWorkbenchStage({
    name: 'sign-in',
    gatewayEnv: async (workbench) => {
      const callbacks = [workbench.origin, workbench.localhostOrigin].map(
        (o) => `${o}/auth/callback`,
      );
      idp = await startOidcTestProvider({
        audience: 'https://policy-gateway.test',
        accounts: { 'olivia.auditor': { name: 'Olivia Auditor', roles: ['auditor'] } },
        workbenchRedirectUris: callbacks,
      });
      return {
        POLICY_GATEWAY_AUTH: 'on',
        POLICY_GATEWAY_OIDC_ISSUER: idp.issuer,
        POLICY_GATEWAY_OIDC_AUDIENCE: idp.audience,
        POLICY_GATEWAY_OIDC_WORKBENCH_CLIENT_ID: idp.workbenchClientId,
        // The Workbench's server is on this machine: the address it forwards is believed.
        POLICY_GATEWAY_TRUST_PROXY: '127.0.0.1',
      };
    },
    // The embedded database is one process's at a time: keys are made before the gateway starts.
    beforeGatewayStarts: async (process) => {
      keys.auditor = await process.createKey('auditor', 'e2e-auditor');
      keys.evaluator = await process.createKey('evaluator', 'e2e-evaluator');
      keys.revoked = await process.createKey('auditor', 'e2e-soon-revoked');
      keys.admin = await process.createKey('admin', 'e2e-admin');
    },
  });
  ({ gateway, preview, browser } = stage);
  await gateway.evaluate('alice', 'Summarise the quarterly report.', keys.evaluator.key);
}, 240_000);

// Each test is a new browser profile: nothing of a previous sign-in carries over.
async function freshPage(): Promise<void> {
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
}

afterEach(async () => {
  await context?.close();
});

afterAll(async () => {
  await stage?.stop();
  await idp?.close();
});

describe('Workbench sign-in against the real gateway with authentication on', () => {
  it.each(HOST_NAMES)('refuses a wrong key with a clear message, on %s', async (name) => {
    const origin = originFor(name);
    await freshPage();
    await signInWithKey(origin, 'pgw_notarealkey_0000000000000000000000000000000000000000000');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('This API key was not accepted');
    expect(await page.getByRole('tab').count()).toBe(0);
    expect((await storedCredentials()).session).toBe('');
    await page.screenshot({ path: join(resultsDir, `sign-in-wrong-key-${name}.png`) });
    await expectAccessible(`sign-in page with a refused key (${name})`);
  });

  it.each(HOST_NAMES)(
    'signs an auditor in with a key made by `keys create`, on %s: name, role, no Evaluate tab, the trail',
    async (name) => {
      const origin = originFor(name);
      await freshPage();
      await signInWithKey(origin, keys.auditor.key);
      await page.locator('table.audit-table tbody tr[data-index]').first().waitFor();
      const header = page.getByRole('banner');
      expect(await header.textContent()).toContain('Signed in as e2e-auditor');
      expect(await header.textContent()).toContain('auditor');
      expect(await tabNames()).toEqual(AUDITOR_TABS);
      // A tab the role may not open sends it to the first one it may: the Overview.
      await page.goto(`${origin}/governance/evaluate`);
      await page.waitForURL(`${origin}/governance/overview`);
      expect(await tabNames()).toEqual(AUDITOR_TABS);

      const stored = await storedCredentials();
      expect(stored.session).toContain(keys.auditor.key);
      expect(stored.local).toBe(0);
      expect(stored.cookies).toBe(0);
      await page.screenshot({ path: join(resultsDir, `signed-in-auditor-${name}.png`) });
      await expectAccessible(`Audit Log signed in as an auditor (${name})`);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect((await storedCredentials()).session).toBe('');
      // Nothing of the trail is left on the page, and a reload does not bring it back.
      expect(await page.getByText('alice').count()).toBe(0);
      await page.reload();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    },
  );

  it('opens an evaluator on Evaluate, with no Audit Log, and records the decision under its key', async () => {
    await freshPage();
    await signInWithKey(preview.localhostOrigin, keys.evaluator.key);
    await page.waitForURL(`${preview.localhostOrigin}/governance/evaluate`);
    expect(await tabNames()).toEqual(['Evaluate', 'Gateway']);
    await page.getByLabel('User id').fill('bob');
    await page.getByLabel('Prompt').fill('What is the capital of France?');
    await page.getByRole('button', { name: 'Evaluate' }).click();
    const answer = page.getByRole('region', { name: 'Policy decision' });
    await answer.waitFor();
    expect(await answer.textContent()).toContain('The prompt is allowed.');
    expect(await page.getByRole('link', { name: 'Open the audit entry' }).count()).toBe(0);
    await page.screenshot({ path: join(resultsDir, 'signed-in-evaluator.png') });
    await expectAccessible('Evaluate signed in as an evaluator');

    // The auditor reads it: recorded with the evaluator key as principal, from the browser's address.
    const response = await fetch(`${gateway.url}/governance/audit?user_id=bob`, {
      headers: { authorization: `Bearer ${keys.auditor.key}` },
    });
    const { entries } = (await response.json()) as {
      entries: { principal_id?: string | null; client_address: string | null }[];
    };
    expect(entries).toHaveLength(1);
    expect(entries[0]?.principal_id).toBe(`key:${keys.evaluator.id}`);
    expect(entries[0]?.client_address).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  });

  it.each(HOST_NAMES)(
    'signs in with the OIDC provider (authorization code + PKCE), on %s',
    async (name) => {
      const origin = originFor(name);
      await freshPage();
      await page.goto(`${origin}/governance?decision=allow`);
      const providerHost = new URL(idp.issuer).host;
      await page.getByRole('button', { name: `Sign in with ${providerHost}` }).click();
      // The provider's own (development) sign-in form.
      await page.waitForURL((url) => url.origin === idp.issuer);
      await page.locator('input[name="login"]').fill('olivia.auditor');
      await page.locator('input[name="password"]').fill('any password');
      await page.screenshot({ path: join(resultsDir, `oidc-provider-login-${name}.png`) });
      await page.locator('button[type="submit"]').first().click();
      // Back on the Workbench where the sign-in started, signed in.
      await page.waitForURL(`${origin}/governance?decision=allow`, { timeout: 30_000 });
      await page.locator('table.audit-table tbody tr[data-index]').first().waitFor();
      const header = await page.getByRole('banner').textContent();
      expect(header).toContain('Signed in as');
      expect(header).toContain('auditor');
      expect(await tabNames()).toEqual(AUDITOR_TABS);
      const stored = await storedCredentials();
      expect(stored.session).toContain('"kind":"oidc"');
      expect(stored.local).toBe(0);
      await page.screenshot({ path: join(resultsDir, `signed-in-oidc-${name}.png`) });
      await expectAccessible(`Audit Log signed in with OIDC (${name})`);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect((await storedCredentials()).session).toBe('');
    },
  );

  it('returns to the sign-in page, saying why, when the key is revoked mid-session', async () => {
    await freshPage();
    await signInWithKey(preview.origin, keys.revoked.key);
    await page.locator('table.audit-table tbody tr[data-index]').first().waitFor();
    // An administrator revokes it while the gateway runs (POST /admin/keys/{id}/revoke).
    const revoked = await fetch(`${gateway.url}/admin/keys/${keys.revoked.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.admin.key}` },
    });
    expect(revoked.status).toBe(200);
    // The Audit Log's live poll is the next call; it is refused, and the session ends.
    const notice = page.getByRole('alert').filter({ hasText: 'You were signed out' });
    await notice.waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await storedCredentials()).session).toBe('');
    await page.screenshot({ path: join(resultsDir, 'session-ended.png') });
    await expectAccessible('sign-in page after a revoked key');
  });

  it('shows an admin, who reads no prompts, the Gateway tab only', async () => {
    await freshPage();
    await signInWithKey(preview.origin, keys.admin.key);
    await page.waitForURL(`${preview.origin}/governance/gateway`);
    expect(await tabNames()).toEqual(['Gateway']);
    expect(await page.getByRole('banner').textContent()).toContain('admin');
  });
});
