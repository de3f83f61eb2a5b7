/**
 * Who is using the Workbench, for every component: the principal `GET /auth/me` returned (or
 * the anonymous one with every role when the gateway's authentication is off), and signing out.
 * Provided by `SessionGate` once it knows; `useSession` outside it is a programming error.
 */
import { createContext, type ReactNode, useContext } from 'react';
import type { Principal, Role } from '../api/auth-wire.js';
import { knownRoles } from '../api/auth-wire.js';

export interface SessionContextValue {
  /** Whether the gateway asks who is calling (`POLICY_GATEWAY_AUTH=on`). */
  readonly authenticated: boolean;
  readonly principal: Principal;
  /** Forgets the credential and returns to the sign-in page. */
  readonly signOut: () => void;
}

/** The caller when the gateway's authentication is off: every role, as the gateway treats it. */
export const ANONYMOUS: Principal = {
  kind: 'anonymous',
  id: 'anonymous',
  name: null,
  subject: null,
  roles: ['evaluator', 'auditor', 'admin', 'privacy-officer'],
};

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider(props: SessionContextValue & { children: ReactNode }) {
  const { children, ...value } = props;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession must be used inside <SessionGate>');
  return value;
}

/** Whether the signed-in principal holds one of `roles` (any role when `roles` is undefined). */
export function useMayUse(roles: readonly Role[] | undefined): boolean {
  const { principal } = useSession();
  return roles === undefined || knownRoles(principal).some((role) => roles.includes(role));
}
