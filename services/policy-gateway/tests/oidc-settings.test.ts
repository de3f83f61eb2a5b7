/** The POLICY_GATEWAY_OIDC_* settings as operators write them, and the one-line refusals. */
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../src/config/settings.js';

const load = (env: Record<string, string>) => loadSettings(env, '/tmp');

describe('OIDC settings', () => {
  it('default to no issuer, the roles claim, 30 s of skew and 10 min of key cache', () => {
    expect(load({}).oidc).toEqual({
      issuer: undefined,
      audience: undefined,
      jwksUrl: undefined,
      jwksCacheSeconds: 600,
      rolesClaim: 'roles',
      roleMap: undefined,
      clockSkewSeconds: 30,
      workbenchClientId: undefined,
    });
  });

  it('read a dotted roles claim and a role map granting several roles to one value', () => {
    const { oidc } = load({
      POLICY_GATEWAY_OIDC_ISSUER: 'https://login.example.com/realms/acme/',
      POLICY_GATEWAY_OIDC_ROLES_CLAIM: 'realm_access.roles',
      POLICY_GATEWAY_OIDC_ROLE_MAP: 'gw-admins=admin, gw-ops=evaluator,gw-ops=auditor',
    });
    expect(oidc.issuer).toBe('https://login.example.com/realms/acme');
    expect(oidc.rolesClaim).toBe('realm_access.roles');
    expect(oidc.roleMap).toEqual({ 'gw-admins': ['admin'], 'gw-ops': ['evaluator', 'auditor'] });
  });

  it.each([
    { name: 'POLICY_GATEWAY_OIDC_ROLE_MAP', value: 'gw-admins=root', note: 'unknown role' },
    { name: 'POLICY_GATEWAY_OIDC_ROLE_MAP', value: 'admin', note: 'no pair' },
    {
      name: 'POLICY_GATEWAY_OIDC_ROLES_CLAIM',
      value: 'realm_access..roles',
      note: 'empty segment',
    },
    { name: 'POLICY_GATEWAY_OIDC_CLOCK_SKEW_SECONDS', value: '3600', note: 'skew beyond 300 s' },
    { name: 'POLICY_GATEWAY_OIDC_ISSUER', value: 'login.example.com', note: 'not a URL' },
  ])('refuse $name=$value ($note) in one line naming it', ({ name, value }) => {
    expect(() => load({ [name]: value })).toThrow(new RegExp(`^${name}`));
  });
});
