// The Evaluate panel: sends a prompt and a user id, shows the decision and its reasons or the
// gateway's problem detail, and refreshes the Audit Log. `fetch` is replaced by a fake gateway at
// the network boundary; the real gateway is covered by the browser tests in e2e/.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway, json, problem } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
});

async function submit(userId: string, prompt: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('User id'), userId);
  await user.type(screen.getByLabelText('Prompt'), prompt);
  await user.click(screen.getByRole('button', { name: 'Evaluate' }));
  return user;
}

describe('Evaluate panel', () => {
  it('sends the prompt and user id and shows a denial with its reasons', async () => {
    gateway.evaluate = () =>
      json(200, {
        decision_id: 'dec-77',
        audit_id: '0193a6f2-0000-7000-8000-000000000077',
        allow: false,
        decision: 'deny',
        reasons: [
          {
            code: 'pii.email',
            message: 'The prompt contains an e-mail address.',
            severity: 'medium',
          },
        ],
        policy: {
          path: 'data.policy_gateway.decision',
          version: 'sha256:abcdef',
          engine: 'embedded',
        },
        latency_ms: 1.5,
      });
    renderWorkbench('/governance/evaluate');
    await submit('dana', 'mail me at dana@example.com');

    const answer = await screen.findByRole('region', { name: 'Policy decision' });
    expect(within(answer).getByText('Deny')).toBeInTheDocument();
    expect(within(answer).getByText('The prompt is denied.')).toBeInTheDocument();
    expect(within(answer).getByText('pii.email')).toBeInTheDocument();
    expect(within(answer).getByText('dec-77')).toBeInTheDocument();
    expect(within(answer).getByRole('link', { name: 'Open the audit entry' })).toHaveAttribute(
      'href',
      '/governance/audit/0193a6f2-0000-7000-8000-000000000077',
    );
    const sent = gateway.requests.find((r) => r.url.pathname === '/policy/evaluate');
    expect(sent?.body).toEqual({ prompt: 'mail me at dana@example.com', user_id: 'dana' });
  });

  it('sends an optional JSON context, and refuses one that is not an object, announcing why', async () => {
    renderWorkbench('/governance/evaluate');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('User id'), 'dana');
    await user.type(screen.getByLabelText('Prompt'), 'hello');
    const context = screen.getByLabelText('Context (JSON object, optional)');
    await user.type(context, '[[1, 2]');
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/Context must be a JSON object/);
    expect(context).toHaveAttribute('aria-invalid', 'true');
    expect(context).toHaveAccessibleDescription(/Context must be a JSON object/);
    expect(context).toHaveFocus();
    expect(gateway.requests.some((r) => r.url.pathname === '/policy/evaluate')).toBe(false);

    await user.clear(context);
    await user.type(context, '{{"application": "support-bot"}');
    await user.click(screen.getByRole('button', { name: 'Evaluate' }));
    await screen.findByText('The prompt is allowed.');
    const sent = gateway.requests.find((r) => r.url.pathname === '/policy/evaluate');
    expect(sent?.body).toEqual({
      prompt: 'hello',
      user_id: 'dana',
      context: { application: 'support-bot' },
    });
  });

  it("shows the problem's detail when the gateway refuses the request", async () => {
    gateway.evaluate = () =>
      problem(413, 'Payload Too Large', 'prompt is longer than 65536 bytes', 'PROMPT_TOO_LARGE');
    renderWorkbench('/governance/evaluate');
    await submit('dana', 'x');

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Payload Too Large (413)');
    expect(alert).toHaveTextContent('prompt is longer than 65536 bytes');
  });

  it('refreshes the Audit Log so the new decision is listed', async () => {
    gateway.entries = [makeEntry({ user_id: 'earlier', secondsAgo: 60 })];
    gateway.evaluate = () => {
      gateway.entries = [makeEntry({ user_id: 'erin', secondsAgo: 0 }), ...gateway.entries];
      return json(200, {
        decision_id: 'dec-1',
        audit_id: gateway.entries[0]!.id,
        allow: true,
        decision: 'allow',
        reasons: [],
        policy: { path: 'p', version: 'v', engine: 'embedded' },
        latency_ms: 1,
      });
    };
    renderWorkbench('/governance');
    await screen.findByText('earlier');

    const user = userEvent.setup();
    await user.click(screen.getByRole('tab', { name: 'Evaluate' }));
    await submit('erin', 'hello');
    await screen.findByText('The prompt is allowed.');
    await user.click(screen.getByRole('tab', { name: 'Audit Log' }));
    expect(await screen.findByText('erin')).toBeInTheDocument();
    expect(screen.getByText('earlier')).toBeInTheDocument();
  });
});
