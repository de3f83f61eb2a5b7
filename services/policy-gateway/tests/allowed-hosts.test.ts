import { afterEach, describe, expect, it } from 'vitest';
import { hostNameOf, isAllowedHost } from '../src/api/allowed-hosts.js';
import { buildTestApp, type TestApp } from './support/build-test-app.js';

let current: TestApp | undefined;
afterEach(async () => {
  await current?.app.close();
  current = undefined;
});

async function statusFor(host: string, url = '/governance/audit', allowedHosts = ['localhost']) {
  current ??= await buildTestApp({ settings: { allowedHosts } });
  const response = await current.app.inject({ url, headers: { host } });
  return response;
}

describe('the Host check against DNS rebinding', () => {
  const cases = [
    { note: 'localhost with any port', host: 'localhost:8080', status: 200 },
    { note: 'localhost in upper case with a trailing dot', host: 'LOCALHOST.:5173', status: 200 },
    { note: 'an IPv4 address', host: '127.0.0.1:8080', status: 200 },
    { note: 'the IPv6 loopback', host: '[::1]:8080', status: 200 },
    {
      note: "a pod's address, as a Kubernetes probe sends it",
      host: '10.42.0.17:8080',
      status: 200,
    },
    {
      note: 'a domain pointed at the gateway by someone else',
      host: 'rebind.attacker.example',
      status: 421,
    },
    { note: 'a subdomain of an allowed name', host: 'evil.localhost:8080', status: 421 },
    {
      note: 'an allowed name as a prefix of another',
      host: 'localhost.attacker.example',
      status: 421,
    },
  ];
  for (const c of cases) {
    it(`answers ${c.status} for ${c.note} (${c.host})`, async () => {
      const response = await statusFor(c.host);
      expect(response.statusCode).toBe(c.status);
    });
  }

  it('refuses with a HOST_NOT_ALLOWED problem that does not echo the host', async () => {
    const response = await statusFor('rebind.attacker.example');
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.json()).toMatchObject({
      code: 'HOST_NOT_ALLOWED',
      status: 421,
      field: 'Host',
      detail: expect.stringContaining('POLICY_GATEWAY_ALLOWED_HOSTS'),
    });
    expect(response.body).not.toContain('attacker');
  });

  it('refuses a rebound domain on every route, the probes and the preflight included', async () => {
    for (const url of ['/health', '/ready', '/openapi.json', '/auth/config']) {
      expect((await statusFor('rebind.attacker.example', url)).statusCode, url).toBe(421);
    }
    const preflight = await current!.app.inject({
      method: 'OPTIONS',
      url: '/policy/evaluate',
      headers: {
        host: 'rebind.attacker.example',
        origin: 'http://rebind.attacker.example',
        'access-control-request-method': 'POST',
      },
    });
    expect(preflight.statusCode).toBe(421);
  });

  it('answers the names listed, their subdomains when written .domain, and any host for *', async () => {
    const allowed = ['gateway', '.svc.cluster.local'];
    current = await buildTestApp({ settings: { allowedHosts: allowed } });
    const at = async (host: string) =>
      (await current!.app.inject({ url: '/health', headers: { host } })).statusCode;
    expect(await at('gateway:8080')).toBe(200);
    expect(await at('policy-gateway.default.svc.cluster.local')).toBe(200);
    expect(await at('svc.cluster.local')).toBe(200);
    expect(await at('localhost')).toBe(421);
    await current.app.close();
    current = await buildTestApp({ settings: { allowedHosts: ['*'] } });
    expect(await at('anything.example')).toBe(200);
  });
});

describe('hostNameOf and isAllowedHost', () => {
  it('takes the name without its port, and IPv6 without brackets', () => {
    expect(hostNameOf('Example.COM:443')).toBe('example.com');
    expect(hostNameOf('[::1]:8080')).toBe('::1');
    expect(hostNameOf('[::1]')).toBe('::1');
    expect(hostNameOf('gateway')).toBe('gateway');
  });

  it('allows any IP address whatever the list, since a rebinding page sends its own domain', () => {
    expect(isAllowedHost('192.168.1.20', [])).toBe(true);
    expect(isAllowedHost('fd00::1', [])).toBe(true);
    expect(isAllowedHost('gateway', [])).toBe(false);
  });
});
