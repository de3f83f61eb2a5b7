import { describe, expect, it } from 'vitest';
import {
  authenticationMode,
  authenticationWarning,
  isLoopbackHost,
} from '../src/config/authentication-mode.js';
import { UnusableSettingError } from '../src/config/unusable-setting-error.js';

describe('authenticationMode', () => {
  it('serves a loopback address without authentication when POLICY_GATEWAY_AUTH is unset (the workstation case)', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1', '127.0.1.1', '[::1]']) {
      expect(authenticationMode(undefined, host), host).toEqual({ mode: 'unset', unsafe: false });
    }
  });

  it('refuses any other address with POLICY_GATEWAY_AUTH unset, in one line saying what to set', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'gateway.example.com']) {
      let refusal: unknown;
      try {
        authenticationMode(undefined, host);
      } catch (error) {
        refusal = error;
      }
      expect(refusal, host).toBeInstanceOf(UnusableSettingError);
      const message = (refusal as Error).message;
      expect(message).toContain('POLICY_GATEWAY_AUTH=on');
      expect(message).toContain(`POLICY_GATEWAY_HOST=${host}`);
      expect(message).not.toContain('\n');
    }
  });

  it('flags POLICY_GATEWAY_AUTH=off as unsafe only off loopback', () => {
    expect(authenticationMode('off', '0.0.0.0')).toEqual({ mode: 'off', unsafe: true });
    expect(authenticationMode('off', '127.0.0.1')).toEqual({ mode: 'off', unsafe: false });
    expect(authenticationWarning({ mode: 'off', unsafe: true })).toMatch(/^UNSAFE/);
  });

  it('requires authentication with POLICY_GATEWAY_AUTH=on on any address, and says nothing about it', () => {
    expect(authenticationMode('on', '0.0.0.0')).toEqual({ mode: 'on', unsafe: false });
    expect(authenticationWarning({ mode: 'on', unsafe: false })).toBeUndefined();
  });

  it('tells loopback addresses from the others', () => {
    expect(isLoopbackHost('127.255.0.1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('::')).toBe(false);
    expect(isLoopbackHost('localhost.example.com')).toBe(false);
  });
});
