/**
 * Whether requests must authenticate, decided once at start-up from `POLICY_GATEWAY_AUTH` and
 * the address the gateway listens on. Unset on a loopback address is the workstation case
 * (`npm start` with nothing to set up): served without authentication, and said so. Unset on
 * any other address is refused, since anyone who can reach the port could then read every
 * prompt ever evaluated; `off` there is the operator's explicit, unsafe opt-out.
 */
import { isIP } from 'node:net';
import type { AuthSetting } from './setting-declarations.js';
import { UnusableSettingError } from './unusable-setting-error.js';

export type AuthenticationMode =
  /** Every guarded route needs a credential with its role. */
  | { readonly mode: 'on'; readonly unsafe: false }
  /** `POLICY_GATEWAY_AUTH=off`: unsafe when the gateway listens beyond this machine. */
  | { readonly mode: 'off'; readonly unsafe: boolean }
  /** `POLICY_GATEWAY_AUTH` unset on a loopback address: the workstation case. */
  | { readonly mode: 'unset'; readonly unsafe: false };

/** Whether only this machine can connect to `host`: `localhost`, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/**
 * The mode the gateway runs in; throws an `UnusableSettingError` with one line saying what to
 * set when `POLICY_GATEWAY_AUTH` is unset and `host` is not a loopback address.
 *
 * @example
 * authenticationMode(undefined, '127.0.0.1'); // { mode: 'unset', unsafe: false }
 * authenticationMode('off', '0.0.0.0'); // { mode: 'off', unsafe: true }
 */
export function authenticationMode(
  auth: AuthSetting | undefined,
  host: string,
): AuthenticationMode {
  if (auth === 'on') return { mode: 'on', unsafe: false };
  if (auth === 'off') return { mode: 'off', unsafe: !isLoopbackHost(host) };
  if (isLoopbackHost(host)) return { mode: 'unset', unsafe: false };
  throw new UnusableSettingError(
    ['POLICY_GATEWAY_AUTH', 'POLICY_GATEWAY_HOST'],
    `POLICY_GATEWAY_HOST=${host} is reachable from other machines and POLICY_GATEWAY_AUTH is unset: set POLICY_GATEWAY_AUTH=on (and create a key with \`policy-gateway keys create\`), or listen on 127.0.0.1; POLICY_GATEWAY_AUTH=off serves anyone who connects, unauthenticated`,
  );
}

/** What the start-up log and `/ready` say about the mode, or nothing when auth is on. */
export function authenticationWarning(mode: AuthenticationMode): string | undefined {
  if (mode.mode === 'on') return undefined;
  if (mode.unsafe) {
    return 'UNSAFE: POLICY_GATEWAY_AUTH=off on an address other machines can reach: anyone who connects may evaluate under any user_id and read the whole audit trail';
  }
  return mode.mode === 'off'
    ? 'authentication is off (POLICY_GATEWAY_AUTH=off): every caller has every role; only this machine can connect'
    : 'authentication is off (POLICY_GATEWAY_AUTH unset, listening on loopback only): every caller on this machine has every role; set POLICY_GATEWAY_AUTH=on to require API keys or tokens';
}
