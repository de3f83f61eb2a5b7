// Signing in to a gateway whose authentication is on: the API key form, who is signed in and
// their role, tabs hidden from a role the gateway would refuse, signing out, and a key the
// gateway stops accepting mid-session. `fetch` is replaced by a fake gateway that enforces roles
// as the real one does; the real gateway and a real OIDC provider are driven by the browser
// tests in e2e/.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { KEY_REFUSED } from '../../src/components/sign-in-page.js';
import { SESSION_ENDED } from '../../src/workbench-app.js';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.authConfig = { auth: 'on', oidc: null };
  gateway.entries = [makeEntry({ user_id: 'alice' })];
  gateway.install();
  window.localStorage.clear();
});

async function signIn(key: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('API key'), key);
  await user.click(screen.getByRole('button', { name: 'Sign in with the key' }));
  return user;
}

const tabNames = async () => (await screen.findAllByRole('tab')).map((tab) => tab.textContent);

describe('Signing in with an API key', () => {
  it('asks for a key before showing anything of the trail, and says authentication is on', async () => {
    renderWorkbench('/governance');
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByRole('tab')).not.toBeInTheDocument();
    expect(gateway.auditListRequests()).toHaveLength(0);
    // No provider configured: no provider button.
    expect(screen.queryByRole('button', { name: /Sign in with .*\./ })).not.toBeInTheDocument();
  });

  it('says clearly that a wrong key was not accepted, and keeps nothing', async () => {
    gateway.addKey('pgw_right', 'ci-auditor', ['auditor']);
    renderWorkbench('/governance');
    await signIn('pgw_wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent(KEY_REFUSED);
    expect(screen.getByLabelText('API key')).toHaveAttribute('aria-invalid', 'true');
    expect(window.sessionStorage.length).toBe(0);
  });

  it('shows who is signed in with their role, sends the key with every call, and keeps it in this tab only', async () => {
    gateway.addKey('pgw_auditor', 'compliance-team', ['auditor']);
    renderWorkbench('/governance');
    await signIn('pgw_auditor');
    expect(await screen.findByText('alice')).toBeInTheDocument();
    const header = screen.getByRole('banner');
    expect(header).toHaveTextContent('Signed in as compliance-team');
    expect(within(header).getByText('auditor')).toBeInTheDocument();
    const audit = gateway.requests.filter((r) => r.url.pathname === '/governance/audit');
    expect(audit.length).toBeGreaterThan(0);
    expect(audit.every((r) => r.authorization === 'Bearer pgw_auditor')).toBe(true);
    expect(JSON.stringify({ ...window.sessionStorage })).toContain('pgw_auditor');
    expect(window.localStorage.length).toBe(0);
    expect(document.cookie).toBe('');
  });

  it('hides Evaluate from an auditor, who cannot ask for decisions', async () => {
    gateway.addKey('pgw_auditor', 'compliance-team', ['auditor']);
    const { location } = renderWorkbench('/governance/evaluate');
    await signIn('pgw_auditor');
    // The first tab an auditor may use.
    await waitFor(() => expect(location().pathname).toBe('/governance/overview'));
    expect(await tabNames()).toEqual(['Overview', 'Audit Log', 'Replay', 'Gateway']);
  });

  it('hides the Audit Log from an evaluator, opening on Evaluate, with no link to entries', async () => {
    gateway.addKey('pgw_evaluator', 'support-bot', ['evaluator']);
    const { location } = renderWorkbench('/governance');
    const user = await signIn('pgw_evaluator');
    await waitFor(() => expect(location().pathname).toBe('/governance/evaluate'));
    expect(await tabNames()).toEqual(['Evaluate', 'Gateway']);
    expect(gateway.auditListRequests()).toHaveLength(0);

    await user.type(screen.getByLabelText('User id'), 'alice');
    await user.type(screen.getByLabelText('Prompt'), 'hello');
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    expect(await screen.findByText('The prompt is allowed.')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Open the audit entry' })).not.toBeInTheDocument();
  });

  it('records decisions about the signed-in person when the credential names a subject', async () => {
    gateway.keys.set('token-of-olivia', {
      id: 'oidc:olivia@https://login.example.com',
      kind: 'oidc',
      name: null,
      subject: 'olivia',
      roles: ['evaluator'],
    });
    renderWorkbench('/governance/evaluate');
    const user = await signIn('token-of-olivia');
    expect(await screen.findByRole('banner')).toHaveTextContent('Signed in as olivia');
    const userId = await screen.findByLabelText('User id');
    expect(userId).toHaveValue('olivia');
    expect(userId).toHaveAttribute('readonly');
    await user.type(screen.getByLabelText('Prompt'), 'hello');
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    await screen.findByText('The prompt is allowed.');
    const sent = gateway.requests.find((r) => r.url.pathname === '/policy/evaluate');
    expect(sent?.body).toMatchObject({ user_id: 'olivia' });
  });

  it('signs out: back to the sign-in page, the key forgotten', async () => {
    gateway.addKey('pgw_auditor', 'compliance-team', ['auditor']);
    renderWorkbench('/governance');
    const user = await signIn('pgw_auditor');
    await screen.findByText('alice');
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByText('alice')).not.toBeInTheDocument();
    expect(window.sessionStorage.length).toBe(0);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('returns to sign-in, saying why, when the gateway stops accepting the key', async () => {
    gateway.addKey('pgw_auditor', 'compliance-team', ['auditor']);
    const { queryClient } = renderWorkbench('/governance');
    await signIn('pgw_auditor');
    await screen.findByText('alice');

    gateway.keys.delete('pgw_auditor'); // revoked
    await queryClient.refetchQueries({ type: 'active' });
    expect(await screen.findByRole('alert')).toHaveTextContent(SESSION_ENDED);
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(window.sessionStorage.length).toBe(0);
  });

  it('offers the organisation provider when the gateway names one', async () => {
    gateway.authConfig = {
      auth: 'on',
      oidc: {
        issuer: 'https://login.example.com/realms/acme',
        client_id: 'wb',
        audience: 'https://policy-gateway.example.com',
        scopes: [],
      },
    };
    renderWorkbench('/governance');
    expect(
      await screen.findByRole('button', { name: 'Sign in with login.example.com' }),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('API key')).toBeInTheDocument();
  });
});

describe('A gateway without authentication', () => {
  it('asks nobody to sign in and says, discreetly, that authentication is off', async () => {
    gateway.authConfig = { auth: 'off', oidc: null };
    renderWorkbench('/governance');
    expect(await screen.findByText('alice')).toBeInTheDocument();
    expect(screen.getByRole('banner')).toHaveTextContent('Authentication off');
    expect(await tabNames()).toEqual(['Overview', 'Audit Log', 'Evaluate', 'Replay', 'Gateway']);
    expect(screen.queryByRole('button', { name: 'Sign out' })).not.toBeInTheDocument();
  });
});
