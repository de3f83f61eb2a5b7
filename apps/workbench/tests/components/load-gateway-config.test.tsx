// The gateway URL is read at run time from config.json (which a container rewrites at start),
// with the build-time variable and then localhost:8080 as fallbacks. `fetch` is replaced at the
// network boundary; the real served config.json is covered by the browser tests in e2e/.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadGatewayConfig } from '../../src/config/load-gateway-config.js';
import { FakeGateway } from '../support/fake-gateway.js';

let gateway: FakeGateway;

beforeEach(() => {
  gateway = new FakeGateway();
  gateway.install();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

describe('loadGatewayConfig', () => {
  it('uses gatewayUrl from config.json at the app base', async () => {
    gateway.configJson = { gatewayUrl: 'https://gateway.example.com' };
    const config = await loadGatewayConfig('/workbench/', 'http://build-time:8080');
    expect(config).toEqual({ gatewayUrl: 'https://gateway.example.com', source: 'config.json' });
    expect(gateway.requests[0]!.url.pathname).toBe('/workbench/config.json');
  });

  it('falls back to VITE_GATEWAY_URL when config.json is missing', async () => {
    const config = await loadGatewayConfig('/', 'http://build-time:8080');
    expect(config).toEqual({ gatewayUrl: 'http://build-time:8080', source: 'VITE_GATEWAY_URL' });
  });

  it('falls back to http://localhost:8080 when config.json holds no usable URL', async () => {
    gateway.configJson = { gatewayUrl: 'not a url' };
    const config = await loadGatewayConfig('/', undefined);
    expect(config).toEqual({ gatewayUrl: 'http://localhost:8080', source: 'default' });
  });
});
