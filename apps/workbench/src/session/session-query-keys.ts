/**
 * Query keys of the sign-in state, under the gateway's URL like every other key. The principal
 * is keyed by the token it was asked for, so another credential never reads a cached answer.
 */
import { gatewayKey } from '../audit/audit-query-keys.js';

export const authConfigKey = (baseUrl: string) => [...gatewayKey(baseUrl), 'auth-config'] as const;

export const principalKey = (baseUrl: string, token: string) =>
  [...gatewayKey(baseUrl), 'principal', token] as const;
