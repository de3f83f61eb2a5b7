/**
 * The right of the header: who is signed in, their roles, and Sign out; or, when the gateway
 * does not authenticate, a discreet "Authentication off".
 */
import { knownRoles } from '../api/auth-wire.js';
import { useSession } from '../session/session-context.js';

export function SessionSummary() {
  const { authenticated, principal, signOut } = useSession();
  if (!authenticated) {
    return (
      <p className="app-header__session" title="The gateway does not ask who is calling">
        Authentication off
      </p>
    );
  }
  const roles = knownRoles(principal);
  return (
    <div className="app-header__session">
      <p>
        Signed in as{' '}
        <span className="app-header__who" title={principal.id}>
          {principal.name ?? principal.subject ?? principal.id}
        </span>
        <span className="sr-only">, role{roles.length === 1 ? '' : 's'}: </span>
        {roles.map((role) => (
          <span key={role} className="role-tag">
            {role}
          </span>
        ))}
      </p>
      <button type="button" className="button button--small button--on-dark" onClick={signOut}>
        Sign out
      </button>
    </div>
  );
}
