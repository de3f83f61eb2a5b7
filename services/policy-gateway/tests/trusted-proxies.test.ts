/**
 * Whose `X-Forwarded-For` the gateway believes (POLICY_GATEWAY_TRUST_PROXY), and what it records
 * as the client address: the nearest hop that is not a trusted proxy, and only ever an IP.
 */
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/settings.js';
import { SettingsError } from '../src/config/settings-error.js';
import { buildTestApp } from './support/build-test-app.js';

function trustProxyOf(value: string) {
  return loadSettings({ POLICY_GATEWAY_TRUST_PROXY: value }, '/srv').trustProxy;
}

function refusalOf(value: string): string {
  try {
    trustProxyOf(value);
  } catch (error) {
    if (error instanceof SettingsError) return error.message;
    throw error;
  }
  throw new Error(`expected POLICY_GATEWAY_TRUST_PROXY=${value} to be refused`);
}

describe('POLICY_GATEWAY_TRUST_PROXY', () => {
  it('trusts no proxy by default', () => {
    expect(loadSettings({}, '/srv').trustProxy).toBe(false);
  });

  it.each([
    { note: 'false', value: 'false', expected: false },
    { note: 'none', value: 'none', expected: false },
    { note: '0', value: '0', expected: false },
    { note: 'one address', value: '10.0.0.5', expected: ['10.0.0.5'] },
    {
      note: 'addresses and CIDRs of both families, spaced',
      value: '10.0.0.0/8, 127.0.0.1 ,fd00::/8,::1',
      expected: ['10.0.0.0/8', '127.0.0.1', 'fd00::/8', '::1'],
    },
    {
      note: "proxy-addr's names",
      value: 'loopback,uniquelocal',
      expected: ['loopback', 'uniquelocal'],
    },
  ])('accepts $note', ({ value, expected }) => {
    expect(trustProxyOf(value)).toEqual(expected);
  });

  it.each([
    {
      note: 'true, saying what to write instead',
      value: 'true',
      says: /refused: trusting every hop.*10\.0\.0\.0\/8/,
    },
    { note: 'yes', value: 'yes', says: /refused/ },
    { note: 'a hop count', value: '1', says: /hop count trusts whoever connects/ },
    { note: 'a host name', value: 'proxy.internal', says: /contains "proxy.internal"/ },
    { note: 'a prefix too long for IPv4', value: '10.0.0.0/33', says: /contains "10.0.0.0\/33"/ },
    { note: 'an address with a port', value: '10.0.0.1:8080', says: /contains "10.0.0.1:8080"/ },
  ])('refuses $note with one line naming the variable', ({ value, says }) => {
    const message = refusalOf(value);
    expect(message).toMatch(/^POLICY_GATEWAY_TRUST_PROXY/);
    expect(message).toMatch(says);
    expect(message).not.toContain('\n');
  });
});

describe('the recorded client address', () => {
  async function recorded(
    trustProxy: false | readonly string[],
    remoteAddress: string,
    forwardedFor?: string,
  ): Promise<string | null> {
    const t = await buildTestApp({ settings: { trustProxy } });
    try {
      const response = await t.app.inject({
        method: 'POST',
        url: '/policy/evaluate',
        remoteAddress,
        headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
        payload: { prompt: 'hello', user_id: 'alice' },
      });
      expect(response.statusCode).toBe(200);
      const entry = await t.store.repository.findById(response.json().audit_id);
      return entry!.clientAddress;
    } finally {
      await t.app.close();
    }
  }

  it.each([
    {
      note: "the peer's address when no proxy is trusted, whatever the header says",
      trust: false as const,
      peer: '198.51.100.4',
      header: '203.0.113.9',
      expected: '198.51.100.4',
    },
    {
      note: 'the forwarded address when the peer is a trusted proxy',
      trust: ['10.0.0.0/8'],
      peer: '10.1.2.3',
      header: '203.0.113.9',
      expected: '203.0.113.9',
    },
    {
      note: "the peer's address when the peer is not a trusted proxy",
      trust: ['10.0.0.0/8'],
      peer: '198.51.100.4',
      header: '203.0.113.9',
      expected: '198.51.100.4',
    },
    {
      note: 'the nearest untrusted hop, not the address a client put first',
      trust: ['10.0.0.0/8'],
      peer: '10.1.2.3',
      header: '192.0.2.66, 203.0.113.9, 10.9.9.9',
      expected: '203.0.113.9',
    },
    {
      note: 'null when the nearest untrusted hop is not an IP',
      trust: ['10.0.0.0/8'],
      peer: '10.1.2.3',
      header: 'unknown',
      expected: null,
    },
    {
      note: 'null for an address with a port',
      trust: ['10.0.0.0/8'],
      peer: '10.1.2.3',
      header: '203.0.113.9:443',
      expected: null,
    },
    {
      note: 'null for script in the header',
      trust: ['10.0.0.0/8'],
      peer: '10.1.2.3',
      header: '<script>alert(1)</script>',
      expected: null,
    },
    {
      note: 'an IPv6 forwarded address',
      trust: ['loopback'],
      peer: '127.0.0.1',
      header: '2001:db8::7',
      expected: '2001:db8::7',
    },
  ])('is $note', async ({ trust, peer, header, expected }) => {
    expect(await recorded(trust, peer, header)).toBe(expected);
  });
});
