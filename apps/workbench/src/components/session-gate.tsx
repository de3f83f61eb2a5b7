/**
 * Decides what a person sees before the Workbench itself: asks the gateway whether it
 * authenticates (`GET /auth/config`); when it does not, the Workbench opens as the anonymous
 * caller with every role; when it does, the sign-in page until a credential is kept, then
 * `GET /auth/me` for who that is. The Workbench renders inside, with the session in context.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useCallback, useSyncExternalStore } from 'react';
import type { AuthConfig } from '../api/auth-wire.js';
import { GatewayProblemError, GatewayUnreachableError } from '../api/gateway-errors.js';
import { useGateway } from '../config/gateway-context.js';
import { ANONYMOUS, SessionProvider } from '../session/session-context.js';
import { authConfigKey, principalKey } from '../session/session-query-keys.js';
import type { SessionStore } from '../session/session-store.js';
import { AppHeader } from './app-header.js';
import { SignInPage } from './sign-in-page.js';

/** A gateway from before authentication existed answers 404 here: it has none. */
const NO_AUTHENTICATION: AuthConfig = { auth: 'off', oidc: null };

/** How often an unanswered `GET /auth/config` is asked again. */
const CONFIG_RETRY_MS = 5_000;

/** How often the signed-in principal is asked for again, so a revoked key is noticed. */
export const PRINCIPAL_POLL_MS = 60_000;

interface SessionGateProps {
  readonly store: SessionStore;
  readonly children: ReactNode;
}

export function SessionGate({ store, children }: SessionGateProps) {
  const { client } = useGateway();
  const queryClient = useQueryClient();
  const { credential, notice } = useSyncExternalStore(store.subscribe, store.current);
  const config = useQuery({
    queryKey: authConfigKey(client.baseUrl),
    queryFn: async ({ signal }) => {
      try {
        return await client.authConfig(signal);
      } catch (error) {
        if (error instanceof GatewayProblemError && error.status === 404) return NO_AUTHENTICATION;
        throw error;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
    refetchOnWindowFocus: false,
    // Until it first answers, keep asking, so the Workbench opens once the gateway is up.
    refetchInterval: (query) => (query.state.data === undefined ? CONFIG_RETRY_MS : false),
  });
  const authOn = config.data?.auth === 'on';
  const token = authOn ? (credential?.token ?? null) : null;
  const principal = useQuery({
    queryKey: principalKey(client.baseUrl, token ?? ''),
    queryFn: ({ signal }) => client.me(undefined, signal),
    enabled: token !== null,
    refetchInterval: PRINCIPAL_POLL_MS,
    staleTime: PRINCIPAL_POLL_MS,
  });
  const signOut = useCallback(() => {
    // Nothing the previous person could read stays in memory for the next one.
    queryClient.clear();
    store.end();
  }, [queryClient, store]);

  if (config.data === undefined) {
    const { error } = config;
    return error !== null ? (
      <GateMessage title="The gateway is unreachable" role="alert">
        <p>
          {error instanceof GatewayUnreachableError ? (
            <>
              Tried <code>{error.url}</code>
              {error.viaProxy ? " from the Workbench's server" : ''}. Check that the gateway is
              running; this page keeps trying.
            </>
          ) : (
            `It did not say whether it asks who you are: ${error.message}`
          )}
        </p>
        <button type="button" className="button" onClick={() => void config.refetch()}>
          Retry
        </button>
      </GateMessage>
    ) : (
      <GateMessage title="Connecting to the gateway…" role="status" />
    );
  }
  if (!authOn) {
    return (
      <SessionProvider authenticated={false} principal={ANONYMOUS} signOut={signOut}>
        {children}
      </SessionProvider>
    );
  }
  if (token === null) {
    return <SignInPage oidc={config.data.oidc} notice={notice} store={store} />;
  }
  if (principal.data === undefined) {
    return principal.isError && !isUnauthorized(principal.error) ? (
      <GateMessage title="Your sign-in could not be checked" role="alert">
        <p>{principal.error.message}</p>
        <p>
          <button type="button" className="button" onClick={() => void principal.refetch()}>
            Retry
          </button>{' '}
          <button type="button" className="button button--quiet" onClick={signOut}>
            Sign out
          </button>
        </p>
      </GateMessage>
    ) : (
      <GateMessage title="Signing in…" role="status" />
    );
  }
  return (
    <SessionProvider authenticated principal={principal.data} signOut={signOut}>
      {children}
    </SessionProvider>
  );
}

function isUnauthorized(error: Error): boolean {
  return error instanceof GatewayProblemError && error.status === 401;
}

function GateMessage(props: {
  readonly title: string;
  readonly role: 'status' | 'alert';
  readonly children?: ReactNode;
}) {
  return (
    <div className="app">
      <AppHeader />
      <main className="page">
        <div className={props.role === 'alert' ? 'state state--error' : 'state'} role={props.role}>
          <p className="state__title">{props.title}</p>
          {props.children}
        </div>
      </main>
    </div>
  );
}
