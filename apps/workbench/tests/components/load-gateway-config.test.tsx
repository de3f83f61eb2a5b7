// The gateway is the Workbench's own origin under /api unless config.json (which a container may
// rewrite at start) or the build-time variable names one elsewhere. `fetch` is replaced at the
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

  it('uses /api on the page origin when config.json names no gateway', async () => {
    gateway.configJson = { gatewayUrl: null };
    const config = await loadGatewayConfig('/', undefined, 'http://127.0.0.1:5173');
    expect(config).toEqual({ gatewayUrl: 'http://127.0.0.1:5173/api', source: 'same origin' });
    expect(console.warn).not.toHaveBeenCalled();
  });

  it('keeps the base path in the same-origin API URL', async () => {
    const config = await loadGatewayConfig('/workbench/', undefined, 'https://tools.example.com');
    expect(config.gatewayUrl).toBe('https://tools.example.com/workbench/api');
  });

  it('warns and uses this origin when config.json holds no usable URL', async () => {
    gateway.configJson = { gatewayUrl: 'not a url' };
    const config = await loadGatewayConfig('/', undefined, 'http://localhost:5173');
    expect(config).toEqual({ gatewayUrl: 'http://localhost:5173/api', source: 'same origin' });
    expect(console.warn).toHaveBeenCalledOnce();
  });
});
