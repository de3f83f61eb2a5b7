// Answers that break the gateway's HTTP contract: the Workbench checks every answer against the
// contract's schemas (`@policy-gateway/gateway-contract`) and says which member is wrong and what
// the contract expects, instead of showing a half-read entry. `fetch` is replaced by a fake
// gateway at the network boundary.
import { screen } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/api/gateway-types.js';
import { makeEntry } from '../support/audit-entry-fixtures.js';
import { FakeGateway } from '../support/fake-gateway.js';
import { renderWorkbench } from '../support/render-workbench.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
});

/** An entry as a gateway that does not keep the contract might send it. */
function offContract(changes: Record<string, unknown>, remove: readonly string[] = []): AuditEntry {
  const entry: Record<string, unknown> = { ...makeEntry({ user_id: 'alice' }), ...changes };
  for (const key of remove) delete entry[key];
  return entry as AuditEntry;
}

describe('Answers that break the contract', () => {
  const cases = [
    {
      note: 'a decision outside the list',
      entry: offContract({ decision: 'maybe' }),
      message: 'page.entries[0].decision must be one of allow, deny, error (got "maybe")',
    },
    {
      note: 'a missing member',
      entry: offContract({}, ['gateway_instance']),
      message: 'page.entries[0].gateway_instance is missing',
    },
    {
      note: 'null where the contract has no null',
      entry: offContract({ gateway_instance: null }),
      message: 'page.entries[0].gateway_instance must be string (got null)',
    },
    {
      note: 'a number where a nullable string belongs',
      entry: offContract({ request_id: 7 }),
      message: 'page.entries[0].request_id must be string or null (got 7)',
    },
    {
      note: 'an id that is not a UUID',
      entry: offContract({ id: 'entry-1' }),
      message: 'page.entries[0].id must be a uuid (got "entry-1")',
    },
    {
      note: 'an unknown severity in a reason',
      entry: offContract({ reasons: [{ code: 'c', message: 'm', severity: 'grave' }] }),
      message:
        'page.entries[0].reasons[0].severity must be one of low, medium, high, critical (got "grave")',
    },
  ];
  for (const { note, entry, message } of cases) {
    it(`names the member and the expectation for ${note}`, async () => {
      gateway.entries = [entry];
      renderWorkbench('/governance');
      expect(
        await screen.findByText(`Decisions could not be loaded: ${message}`),
      ).toBeInTheDocument();
      expect(screen.queryByText('alice')).not.toBeInTheDocument();
    });
  }

  it('lists entries that keep the contract', async () => {
    gateway.entries = [makeEntry({ user_id: 'alice', request_id: null, user_agent: null })];
    renderWorkbench('/governance');
    expect(await screen.findByText('alice')).toBeInTheDocument();
  });
});
