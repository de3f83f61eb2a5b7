/**
 * The parsers settings are declared with. Each takes the variable's trimmed, non-empty value and
 * returns the setting or throws a `SettingsError` whose one line names the variable, the value
 * where it helps, and what is accepted.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import type { SettingContext } from './setting-declaration.js';
import { SettingsError } from './settings-error.js';

type Parser<T> = (raw: string, name: string, context: SettingContext) => T;

/** A whole number within bounds, both included. */
export function integer(min: number, max: number): Parser<number> {
  return (raw, name) => {
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      throw new SettingsError(
        name,
        `${name}=${raw} is invalid: expected an integer from ${min} to ${max}`,
      );
    }
    return Number(raw);
  };
}

/** `true`/`1`/`yes` or `false`/`0`/`no`, in any case. */
export const boolean: Parser<boolean> = (raw, name) => {
  const value = raw.toLowerCase();
  if (value === 'true' || value === '1' || value === 'yes') return true;
  if (value === 'false' || value === '0' || value === 'no') return false;
  throw new SettingsError(name, `${name}=${value} is invalid: expected true or false`);
};

/** Any text, as written. */
export const text: Parser<string> = (raw) => raw;

/** A directory, absolute or relative to the working directory. */
export const directory: Parser<string> = (raw, _name, { cwd }) => resolve(cwd, raw);

/** "a, b or c", the way the messages list choices. */
function choices(values: readonly string[]): string {
  return values.length < 2
    ? values.join('')
    : `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
}

/** One of a fixed set of words, in any case. */
export function oneOf<const Choice extends string>(values: readonly Choice[]): Parser<Choice> {
  return (raw, name) => {
    const value = raw.toLowerCase();
    if (!(values as readonly string[]).includes(value)) {
      throw new SettingsError(name, `${name}=${value} is unknown: expected ${choices(values)}`);
    }
    return value as Choice;
  };
}

/** A base URL of an HTTP server, without its trailing slashes. */
export const httpUrl: Parser<string> = (raw, name) => {
  try {
    const parsed = new URL(raw);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // Falls through to the one-line error below.
  }
  throw new SettingsError(name, `${name}=${raw} is invalid: expected an http:// or https:// URL`);
};

/** Comma-separated browser origins (scheme, host and port only), or `*` for any. */
export const origins: Parser<readonly string[]> = (raw, name) => {
  const list = raw
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of list) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (
      parsed === undefined ||
      (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') ||
      parsed.origin !== origin.replace(/\/$/, '')
    ) {
      throw new SettingsError(
        name,
        `${name} contains "${origin}": expected comma-separated origins like http://localhost:5173, or *`,
      );
    }
  }
  return list.map((origin) => origin.replace(/\/$/, ''));
};

/** A DNS name: dot-separated labels of letters, digits and hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * Comma-separated host names, lower-cased, for matching a request's `Host` (whatever its
 * port): a name (`gateway.example.com`), a name with a leading dot for it and its subdomains
 * (`.example.com`), an IP address (`127.0.0.1`, `[::1]`), or `*` for any. Ports, schemes and
 * paths are refused, so that an entry never silently fails to match.
 */
export const hostNames: Parser<readonly string[]> = (raw, name) => {
  const list = raw
    .split(',')
    .map((entry) => entry.trim().toLowerCase())
    .filter((entry) => entry !== '');
  if (list.length === 0) {
    throw new SettingsError(name, `${name}=${raw} names no host: expected e.g. localhost`);
  }
  for (const entry of list) {
    const bare = entry.startsWith('.') ? entry.slice(1) : entry;
    // An IP address is allowed anyway (api/allowed-hosts.ts); listing one is harmless.
    const address = isIP(entry.replace(/^\[(.*)\]$/, '$1')) !== 0;
    if (entry !== '*' && !address && !HOST_NAME.test(bare)) {
      throw new SettingsError(
        name,
        `${name} contains "${entry}": expected comma-separated host names without port or scheme, like localhost,gateway.example.com,.internal.example.com, or *`,
      );
    }
  }
  return list;
};

/** A claim's name, or a dotted path to a nested one (`realm_access.roles`). */
export const claimPath: Parser<string> = (raw, name) => {
  if (!/^[^.\s]+(\.[^.\s]+)*$/.test(raw)) {
    throw new SettingsError(
      name,
      `${name}=${raw} is invalid: expected a claim name or a dotted path like realm_access.roles`,
    );
  }
  return raw;
};

/**
 * Comma-separated `claim value=role` pairs (`gw-admins=admin,gw-readers=auditor`); a value may
 * be listed more than once to grant several roles. Only the given roles are accepted.
 */
export function roleMap<const Role extends string>(
  roles: readonly Role[],
): Parser<Readonly<Record<string, readonly Role[]>>> {
  return (raw, name) => {
    const map: Record<string, Role[]> = {};
    for (const pair of raw
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '')) {
      const at = pair.lastIndexOf('=');
      const value = pair.slice(0, at).trim();
      const role = pair.slice(at + 1).trim();
      if (at <= 0 || value === '' || !(roles as readonly string[]).includes(role)) {
        throw new SettingsError(
          name,
          `${name} contains "${pair}": expected comma-separated claim-value=role pairs, the role one of ${choices(roles)}`,
        );
      }
      map[value] = [...(Object.hasOwn(map, value) ? (map[value] ?? []) : []), role as Role];
    }
    return Object.freeze(
      Object.fromEntries(Object.entries(map).map(([k, v]) => [k, Object.freeze(v)])),
    );
  };
}

/** A dotted path into Rego's `data` document, such as a decision's. */
export const dataPath: Parser<string> = (raw, name) => {
  if (!/^data(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(raw)) {
    throw new SettingsError(
      name,
      `${name}=${raw} is invalid: expected a dotted data path like data.policy_gateway.decision`,
    );
  }
  return raw;
};

export interface DatabaseUrl {
  /** Normalised for `pg` (`postgresql://…`), whatever scheme the operator wrote. */
  readonly url: string;
  /** The same URL with the password masked, for logs. */
  readonly redacted: string;
}

const DATABASE_URL_SCHEMES = ['postgresql:', 'postgres:', 'postgresql+asyncpg:'];

/**
 * A PostgreSQL server URL. Accepts the forms operators already have (SQLAlchemy's
 * `postgresql+asyncpg://` too) and rewrites the scheme for `pg`, keeping credentials, host,
 * database and query as written.
 */
export const databaseUrl: Parser<DatabaseUrl> = (raw, name) => {
  const accepted =
    'expected postgresql://user:password@host:5432/database (postgres:// and postgresql+asyncpg:// are accepted too)';
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new SettingsError(name, `${name} is not a valid URL: ${accepted}`);
  }
  if (!DATABASE_URL_SCHEMES.includes(parsed.protocol)) {
    throw new SettingsError(name, `${name} has scheme ${parsed.protocol}//: ${accepted}`);
  }
  const url = `postgresql://${raw.slice(raw.indexOf('://') + 3)}`;
  const check = new URL(url);
  if (check.hostname === '') {
    throw new SettingsError(name, `${name} names no host: ${accepted}`);
  }
  if (check.pathname === '' || check.pathname === '/') {
    throw new SettingsError(name, `${name} names no database: ${accepted}`);
  }
  if (check.password !== '') check.password = '***';
  return { url, redacted: check.toString() };
};

/**
 * Which proxies' `X-Forwarded-For` to believe: none (`false`), or the proxies at these
 * addresses and CIDRs (and proxy-addr's names `loopback`, `linklocal`, `uniquelocal`), as
 * Fastify's `trustProxy` takes them.
 */
export type TrustedProxies = false | readonly string[];

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** An address, or an address and a prefix length that fits it (`10.0.0.0/8`, `fd00::/8`). */
function isAddressOrCidr(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * `false` (or `0`, `no`, `none`): no proxy is trusted and the client address is the peer's; or
 * comma-separated addresses and CIDRs of the proxies. `true` is refused, because trusting every
 * hop lets any client write the address recorded for it; so is a hop count, because it trusts
 * whoever connects, proxy or not (Fastify 5 ignores one for that reason).
 */
export const trustedProxies: Parser<TrustedProxies> = (raw, name) => {
  const value = raw.toLowerCase();
  if (['false', '0', 'no', 'none'].includes(value)) return false;
  const expected =
    'expected the addresses or CIDRs of the proxies in front of the gateway, e.g. 10.0.0.0/8,127.0.0.1, or false';
  if (['true', 'yes'].includes(value)) {
    throw new SettingsError(
      name,
      `${name}=${raw} is refused: trusting every hop lets any client choose the address recorded for it; ${expected}`,
    );
  }
  if (/^\d+$/.test(value)) {
    throw new SettingsError(
      name,
      `${name}=${raw} is refused: a hop count trusts whoever connects, proxy or not; ${expected}`,
    );
  }
  const list = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of list) {
    if (!PROXY_NAMES.includes(entry) && !isAddressOrCidr(entry)) {
      throw new SettingsError(name, `${name} contains "${entry}": ${expected}`);
    }
  }
  return list;
};

/** A key of at least `minLength` characters, kept as written. */
export function secret(minLength: number): Parser<string> {
  return (raw, name) => {
    if (raw.length < minLength) {
      throw new SettingsError(
        name,
        `${name} is too short (${raw.length} characters): expected at least ${minLength}, e.g. the output of openssl rand -base64 32`,
      );
    }
    return raw;
  };
}

/** Where subject data keys are kept: a directory of files, or a PostgreSQL database. */
export type SubjectKeysLocation =
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'postgres'; readonly url: DatabaseUrl };

/** `file:<dir>` (relative to the working directory) or a PostgreSQL URL. */
export const subjectKeysLocation: Parser<SubjectKeysLocation> = (raw, name, context) => {
  if (raw.startsWith('file:')) {
    const dir = raw.slice('file:'.length);
    if (dir === '') throw new SettingsError(name, `${name}=file: names no directory: file:<dir>`);
    return { kind: 'file', dir: resolve(context.cwd, dir) };
  }
  if (/^postgres(ql)?(\+asyncpg)?:\/\//.test(raw)) {
    return { kind: 'postgres', url: databaseUrl(raw, name, context) };
  }
  throw new SettingsError(
    name,
    `${name} must be file:<dir> or postgresql://user:password@host:5432/database (a database other than the audit trail's)`,
  );
};

/** The path of a route, e.g. `/logs`: a leading `/`, then URL path characters only. */
export const routePath: Parser<string> = (raw, name) => {
  if (/^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/.test(raw) && !raw.includes('//')) return raw;
  throw new SettingsError(
    name,
    `${name}=${raw} is invalid: expected a URL path such as /logs (a leading /, no query)`,
  );
};
