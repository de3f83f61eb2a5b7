/**
 * The sign-in page shown while the gateway's authentication is on and nobody is signed in: an
 * API key, checked with `GET /auth/me` before it is kept, and "Sign in with <provider>" when the
 * gateway names an OIDC issuer. Says why when a session ended (a revoked key, an expired token).
 */
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import type { OidcSettings } from '../api/auth-wire.js';
import { GatewayProblemError } from '../api/gateway-errors.js';
import { useGateway } from '../config/gateway-context.js';
import { oidcRedirectUri, startOidcSignIn } from '../session/oidc-sign-in.js';
import { principalKey } from '../session/session-query-keys.js';
import type { SessionStore } from '../session/session-store.js';
import { AppHeader } from './app-header.js';

interface SignInPageProps {
  readonly oidc: OidcSettings | null;
  readonly notice: string | null;
  readonly store: SessionStore;
}

export const KEY_REFUSED =
  'This API key was not accepted. Check that it was copied whole; a key that was revoked or has expired is refused the same way.';

export function SignInPage({ oidc, notice, store }: SignInPageProps) {
  const id = useId();
  const { client } = useGateway();
  const queryClient = useQueryClient();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [providerError, setProviderError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'key' | 'oidc' | null>(null);
  const keyRef = useRef<HTMLInputElement>(null);

  const signInWithKey = async (event: FormEvent) => {
    event.preventDefault();
    const token = key.trim();
    setBusy('key');
    setError(null);
    try {
      const principal = await client.me(token);
      queryClient.clear();
      queryClient.setQueryData(principalKey(client.baseUrl, token), principal);
      store.signIn({ kind: 'api_key', token });
    } catch (failure) {
      setError(describe(failure));
      setBusy(null);
      keyRef.current?.focus();
    }
  };

  const signInWithProvider = async () => {
    if (oidc === null) return;
    setBusy('oidc');
    setProviderError(null);
    try {
      const { origin, pathname, search, hash } = window.location;
      const redirectUri = oidcRedirectUri(origin, import.meta.env.BASE_URL);
      await startOidcSignIn(oidc, redirectUri, `${pathname}${search}${hash}`);
    } catch (failure) {
      setProviderError(`${providerName(oidc)} could not be reached: ${(failure as Error).message}`);
      setBusy(null);
    }
  };

  return (
    <div className="app">
      <AppHeader />
      <main className="page sign-in">
        <h1 className="page__title">Sign in</h1>
        <p className="muted">
          This gateway asks who you are before it shows decisions or the audit trail.
        </p>
        {notice && (
          <div className="banner banner--warning" role="alert">
            <div>{notice}</div>
          </div>
        )}
        {oidc !== null && (
          <section className="sign-in__option" aria-labelledby={`${id}-oidc`}>
            <h2 id={`${id}-oidc`} className="sign-in__heading">
              With your organisation's account
            </h2>
            <button
              type="button"
              className="button button--primary"
              onClick={() => void signInWithProvider()}
              disabled={busy !== null}
            >
              {busy === 'oidc' ? 'Opening the sign-in page…' : `Sign in with ${providerName(oidc)}`}
            </button>
            {providerError && (
              <p className="state state--error sign-in__error" role="alert">
                {providerError}
              </p>
            )}
          </section>
        )}
        <section className="sign-in__option" aria-labelledby={`${id}-key-heading`}>
          <h2 id={`${id}-key-heading`} className="sign-in__heading">
            With an API key
          </h2>
          <form className="sign-in__form" onSubmit={(event) => void signInWithKey(event)}>
            <div className="field">
              <label htmlFor={`${id}-key`}>API key</label>
              <input
                ref={keyRef}
                id={`${id}-key`}
                type="password"
                value={key}
                required
                autoComplete="off"
                spellCheck={false}
                aria-invalid={error !== null}
                aria-describedby={`${id}-key-hint${error ? ` ${id}-key-error` : ''}`}
                onChange={(event) => setKey(event.target.value)}
              />
              <p id={`${id}-key-hint`} className="muted sign-in__hint">
                Made by an administrator with <code>policy-gateway keys create</code>. It is kept in
                this tab only, until you sign out or close it.
              </p>
            </div>
            <div>
              <button
                type="submit"
                className={oidc === null ? 'button button--primary' : 'button'}
                disabled={busy !== null || key.trim() === ''}
              >
                {busy === 'key' ? 'Checking the key…' : 'Sign in with the key'}
              </button>
            </div>
          </form>
          {error && (
            <p id={`${id}-key-error`} className="state state--error sign-in__error" role="alert">
              {error}
            </p>
          )}
        </section>
      </main>
    </div>
  );
}

/** The provider's host name, e.g. `login.example.com` for `https://login.example.com/realms/x`. */
function providerName(oidc: OidcSettings): string {
  try {
    return new URL(oidc.issuer).host;
  } catch {
    return oidc.issuer;
  }
}

function describe(failure: unknown): string {
  if (failure instanceof GatewayProblemError && failure.status === 401) return KEY_REFUSED;
  if (failure instanceof GatewayProblemError) return `${failure.title}: ${failure.detail}`;
  return (failure as Error).message;
}
