/**
 * The sign-in session: the signed-in credential, kept in this tab's `sessionStorage` only (it
 * survives a reload and the OIDC redirect, and is gone when the tab closes; never
 * `localStorage`, shared by every tab and kept for good, nor a cookie, which the browser sends
 * on its own), and the notice the sign-in page shows after a session ended. Components read it
 * through `subscribe`/`current` (`useSyncExternalStore`); the gateway client reads the token.
 */

export interface Credential {
  /** How the person signed in: an API key they typed, or tokens from the OIDC provider. */
  readonly kind: 'api_key' | 'oidc';
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token: string;
}

const STORAGE_KEY = 'policy-gateway.workbench.credential';

function isCredential(value: unknown): value is Credential {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, token } = value as Record<string, unknown>;
  return (kind === 'api_key' || kind === 'oidc') && typeof token === 'string' && token !== '';
}

export interface SessionState {
  readonly credential: Credential | null;
  /** Why the person is on the sign-in page again (a refused key, an ended session), if so. */
  readonly notice: string | null;
}

export class SessionStore {
  private readonly listeners = new Set<() => void>();
  private state: SessionState;

  constructor(
    private readonly storage: Storage = window.sessionStorage,
    notice: string | null = null,
  ) {
    this.state = { credential: this.read(), notice };
  }

  readonly current = (): SessionState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The bearer token to send, or null when nobody is signed in. */
  readonly token = (): string | null => this.state.credential?.token ?? null;

  signIn(credential: Credential): void {
    this.storage.setItem(STORAGE_KEY, JSON.stringify(credential));
    this.update({ credential, notice: null });
  }

  /** Forgets the credential; `notice` says why on the sign-in page (none for a sign-out). */
  end(notice: string | null = null): void {
    this.storage.removeItem(STORAGE_KEY);
    if (this.state.credential === null && this.state.notice === notice) return;
    this.update({ credential: null, notice });
  }

  private update(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) listener();
  }

  private read(): Credential | null {
    try {
      const value = JSON.parse(this.storage.getItem(STORAGE_KEY) ?? 'null') as unknown;
      return isCredential(value) ? value : null;
    } catch {
      return null;
    }
  }
}
