/**
 * Page-wide notices about the gateway itself: unreachable (naming the URL tried, with Retry),
 * keeping its audit log in memory (entries lost on restart), and any other `/ready` warnings.
 */
import { useReadyStatus } from '../audit/use-ready-status.js';
import { useUnreachableGateway } from '../audit/use-unreachable-gateway.js';

export function GatewayBanners() {
  const { error, retry } = useUnreachableGateway();
  const ready = useReadyStatus();
  const status = error ? undefined : ready.data;
  // With authentication on, the store and warnings are told to signed-in callers only.
  const store = status?.store;
  const inMemory = store !== undefined && (!store.durable || store.backend === 'memory');
  const warnings = status?.warnings ?? [];

  return (
    <div className="banners">
      {error && (
        <div className="banner banner--error" role="alert">
          <div>
            <strong>The gateway is unreachable.</strong> Tried <code>{error.url}</code>
            {error.viaProxy
              ? " from the Workbench's server. Check that the gateway is running there."
              : ". Check that the gateway is running and that it allows this page's origin (CORS)."}
          </div>
          <button type="button" className="button" onClick={retry}>
            Retry
          </button>
        </div>
      )}
      {inMemory && (
        <div className="banner banner--warning" role="status">
          <div>
            <strong>Audit entries are not durable.</strong> This gateway keeps its audit log in
            memory (store: <code>{store.backend}</code>): entries are lost when it restarts and the
            oldest are dropped when it is full.
          </div>
        </div>
      )}
      {status?.status === 'not_ready' && !inMemory && (
        <div className="banner banner--warning" role="status">
          <div>
            <strong>The gateway is not ready.</strong>{' '}
            {store?.reachable === false ? 'Its audit store is unreachable. ' : ''}New decisions may
            be refused until it recovers.
          </div>
        </div>
      )}
      {warnings.length > 0 && (
        <ul className="banner banner--info" aria-label="Gateway warnings">
          {warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
