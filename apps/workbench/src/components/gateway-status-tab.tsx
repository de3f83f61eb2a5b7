/**
 * The Gateway tab: which gateway the Workbench talks to and what its `/ready` says (store,
 * durability, schema, policy), the trail's last verification and chain heads, and where
 * decisions come from (OPA servers uploading, with their last upload), for the person checking
 * why the log looks the way it does.
 */
import { useReadyStatus } from '../audit/use-ready-status.js';
import { useGateway } from '../config/gateway-context.js';
import { AuditIntegrityPanel } from './audit-integrity-panel.js';
import { DecisionSourcesPanel } from './decision-sources-panel.js';
import { JsonView } from './json-view.js';

const SOURCES = {
  'config.json': 'from config.json',
  VITE_GATEWAY_URL: 'from VITE_GATEWAY_URL at build time',
  'same origin': "this page's origin, forwarded to the gateway by the Workbench's server",
} as const;

const AUTH_MODES = {
  on: 'On: every call needs an API key or a token',
  off: 'Off (POLICY_GATEWAY_AUTH=off)',
  unset: 'Off (POLICY_GATEWAY_AUTH unset; loopback only)',
} as const;

export function GatewayStatusTab() {
  const { config } = useGateway();
  const ready = useReadyStatus();
  const status = ready.data;
  return (
    <div className="gateway-status">
      <dl className="facts">
        <div className="facts__row">
          <dt>Gateway URL</dt>
          <dd>
            <code>{config.gatewayUrl}</code>{' '}
            <span className="muted">({SOURCES[config.source]})</span>
          </dd>
        </div>
        <div className="facts__row">
          <dt>Status</dt>
          <dd>
            {ready.isPending
              ? 'Checking…'
              : ready.isError
                ? `Unavailable: ${ready.error.message}`
                : status?.status === 'ready'
                  ? 'Ready'
                  : 'Not ready'}
          </dd>
        </div>
        {status && (
          <div className="facts__row">
            <dt>Authentication</dt>
            <dd>
              {AUTH_MODES[status.auth.mode]}
              {status.auth.unsafe && ' — UNSAFE: other machines can connect'}
            </dd>
          </div>
        )}
        {status?.store && (
          <div className="facts__row">
            <dt>Audit store</dt>
            <dd>
              <code>{status.store.backend}</code> —{' '}
              {status.store.durable ? 'durable' : 'not durable (lost on restart)'},{' '}
              {status.store.reachable ? 'reachable' : 'unreachable'}
            </dd>
          </div>
        )}
        {status?.warnings && (
          <div className="facts__row">
            <dt>Warnings</dt>
            <dd>{status.warnings.length === 0 ? 'None' : status.warnings.join(' · ')}</dd>
          </div>
        )}
      </dl>
      {status?.store && <JsonView value={status.store.schema} label="Store schema" />}
      {status?.policy && <JsonView value={status.policy} label="Policy" />}
      <AuditIntegrityPanel />
      <DecisionSourcesPanel />
    </div>
  );
}
