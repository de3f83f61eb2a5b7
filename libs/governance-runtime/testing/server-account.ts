/**
 * The system account a test PostgreSQL server runs as. PostgreSQL refuses to run as
 * root, so a root test run hands the server to an existing unprivileged account; any
 * other user runs it as themselves. No account is ever created.
 */
import { execFileSync } from 'node:child_process';

export interface ServerAccount {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * Accounts tried in order when running as root. `nobody` comes first: it exists on
 * nearly every Unix system, PostgreSQL installed or not, and owns no data, whereas a
 * `postgres` account would also own the files of the machine's real server, if any.
 */
export const SERVER_ACCOUNT_CANDIDATES: readonly string[] = Object.freeze(['nobody', 'postgres']);

/**
 * The account to run the server as: undefined when this process is not root (the server
 * then runs as the current user), else the first of `candidates` that exists.
 */
export function serverAccount(
  candidates: readonly string[] = SERVER_ACCOUNT_CANDIDATES,
): ServerAccount | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of candidates) {
    const account = lookUpAccount(name);
    if (account !== undefined && account.uid !== 0) return account;
  }
  throw new Error(
    `running as root, the test PostgreSQL server needs an unprivileged system account to run as, and none of ${candidates.join(', ')} exists; run the tests as an ordinary user, or set POLICY_GATEWAY_TEST_DATABASE_URL to an existing server`,
  );
}

function lookUpAccount(name: string): ServerAccount | undefined {
  try {
    // `id` asks the system's name service (passwd, LDAP, …), not just /etc/passwd.
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }));
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: 'pipe' }));
    return Number.isInteger(uid) && Number.isInteger(gid) ? { name, uid, gid } : undefined;
  } catch {
    return undefined;
  }
}
