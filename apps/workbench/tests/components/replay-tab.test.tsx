// The Replay tab: a candidate is uploaded (or a known bundle picked) with a range, the replay's
// progress is followed until it finishes, then the summary by transition, the changed entries
// and a side-by-side diff of one entry's results are shown. `fetch` is replaced by a fake gateway
// at the network boundary; the replay itself runs against real stores in
// services/policy-gateway/tests/replay-routes.test.ts and in the browser test.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Replay, ReplayChange } from '../../src/api/gateway-types.js';
import { FakeGateway, json } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

const REPLAY_ID = '0193a6f2-5555-7abc-8def-000000000001';

const TIGHTENED: ReplayChange = {
  audit_id: '0193a6f2-6666-7abc-8def-000000000001',
  occurred_at: '2026-12-05T10:00:00.000000Z',
  user_id: 'alice',
  transition: 'allow_to_deny',
  masked: true,
  original: { decision: 'allow', reasons: [], policy_version: 'sha256:old', error: null },
  candidate: {
    decision: 'deny',
    reasons: [{ code: 'candidate.forbidden', message: 'forbidden word', severity: 'high' }],
    policy_version: 'sha256:new',
    error: null,
  },
};

function replay(status: Replay['status'], read: number): Replay {
  return {
    id: REPLAY_ID,
    status,
    requested_by: 'anonymous',
    requested_at: '2026-12-05T11:00:00.000Z',
    finished_at: status === 'running' ? null : '2026-12-05T11:00:01.000Z',
    candidate: { source: 'upload', version: 'sha256:new' },
    filters: {},
    max_entries: 100_000,
    progress: { read, position: null },
    summary: {
      evaluated: read,
      changed: status === 'running' ? 0 : 1,
      unchanged: status === 'running' ? read : read - 1,
      skipped: 0,
      masked: 1,
      by_transition: {
        allow_to_deny: status === 'running' ? 0 : 1,
        deny_to_allow: 0,
        reasons_changed: 0,
        error: 0,
      },
    },
    error: null,
  };
}

let gateway: FakeGateway;
beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
});

describe('the Replay tab', () => {
  it('uploads the candidate with the range, follows the progress, then shows the summary, the changes and a diff', async () => {
    let polls = 0;
    gateway.replays = (request) => {
      if (request.method === 'POST') return json(202, replay('running', 0));
      if (request.url.pathname.endsWith('/changes')) {
        return json(200, { changes: [TIGHTENED], next_cursor: null });
      }
      polls += 1;
      return json(200, polls < 2 ? replay('running', 40) : replay('completed', 80));
    };
    const user = userEvent.setup();
    renderWorkbench('/governance/replay');
    const file = new File([new Uint8Array([0x1f, 0x8b, 0x08, 0x00])], 'candidate.tar.gz', {
      type: 'application/gzip',
    });
    await user.upload(await screen.findByLabelText('Bundle file'), file);
    await user.type(screen.getByLabelText('From'), '2026-12-01T00:00');
    await user.click(screen.getByRole('button', { name: 'Run replay' }));

    expect(await screen.findByText(/Replaying: 40 decisions read/)).toBeInTheDocument();
    const summary = await screen.findByRole('table', { name: /1 of 80 decisions would change/ });
    expect(within(summary).getByRole('row', { name: 'Allow → deny 1' })).toBeInTheDocument();
    const started = gateway.requests.find((r) => r.method === 'POST');
    expect(started?.body).toEqual({
      bundle: 'H4sIAA==',
      filters: { since: new Date('2026-12-01T00:00').toISOString() },
    });

    const changes = await screen.findByRole('table', { name: 'Changed decisions' });
    expect(within(changes).getByText('Masked')).toBeInTheDocument();
    await user.click(within(changes).getByRole('button', { name: /Compare/ }));
    const diff = screen.getByRole('region', { name: 'Side-by-side diff' });
    const recorded = within(diff).getByRole('region', { name: 'Recorded' });
    const candidate = within(diff).getByRole('region', { name: 'Candidate' });
    expect(within(recorded).getByText('No reasons')).toBeInTheDocument();
    expect(within(candidate).getByText('candidate.forbidden')).toBeInTheDocument();
    expect(within(candidate).getByText('only here')).toBeInTheDocument();
    expect(diff).toHaveTextContent('replayed on its masked input');
  });

  it('replays a known bundle, and shows the gateway refusing one as an alert', async () => {
    gateway.replays = () =>
      new Response(
        JSON.stringify({
          type: 'urn:policy-gateway:problem:invalid-bundle',
          title: 'Candidate bundle unusable',
          status: 422,
          detail: 'no shadow bundle is configured',
          code: 'INVALID_BUNDLE',
        }),
        { status: 422, headers: { 'content-type': 'application/problem+json' } },
      );
    const user = userEvent.setup();
    renderWorkbench('/governance/replay');
    await user.click(await screen.findByLabelText('The shadow bundle'));
    expect(screen.queryByLabelText('Bundle file')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Run replay' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('no shadow bundle is configured');
    await waitFor(() =>
      expect(gateway.requests.find((r) => r.method === 'POST')?.body).toEqual({
        known_bundle: 'shadow',
        filters: {},
      }),
    );
  });
});
