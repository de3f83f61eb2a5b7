// deploy/compose.yaml encodes the deployment order: postgres (healthy) → migrate (one shot,
// completed successfully) → gateway, with the database settings the issue names.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from './support/repo-path.js';

const DATABASE_URL = 'postgresql+asyncpg://policy_user:policy_pass@postgres:5432/sea_governance';

interface ComposeService {
  readonly image?: string;
  readonly build?: { readonly context: string; readonly dockerfile: string };
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly healthcheck?: { readonly test: readonly string[] };
  readonly ports?: readonly string[];
  readonly volumes?: readonly string[];
  readonly restart?: string;
  readonly read_only?: boolean;
  readonly tmpfs?: readonly string[];
}

interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
  readonly volumes?: Readonly<Record<string, unknown>>;
}

// Compose resolves YAML merge keys (`<<: *anchor`); so does the parser here.
const compose = parse(readFileSync(repoPath('deploy/compose.yaml'), 'utf8'), {
  merge: true,
}) as ComposeFile;

function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`compose.yaml has no service ${name}`);
  return found;
}

describe('compose.yaml', () => {
  it('defines postgres, migrate, gateway and workbench', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['gateway', 'migrate', 'postgres', 'workbench'].sort(),
    );
  });

  it('gives postgres a pg_isready health check and a named volume', () => {
    const postgres = service('postgres');
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    const volume = postgres.volumes?.[0]?.split(':')[0] ?? '';
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it('creates the user, password and database the gateway URL names', () => {
    const url = new URL(DATABASE_URL.replace('postgresql+asyncpg:', 'postgresql:'));
    expect(service('postgres').environment).toMatchObject({
      POSTGRES_USER: url.username,
      POSTGRES_PASSWORD: url.password,
      POSTGRES_DB: url.pathname.slice(1),
    });
    expect(url.hostname).toBe('postgres');
  });

  it('runs `policy-gateway migrate` once, after postgres is healthy, never restarting it', () => {
    const migrate = service('migrate');
    expect([...(migrate.entrypoint ?? []), ...(migrate.command ?? [])]).toEqual([
      'policy-gateway',
      'migrate',
    ]);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(migrate.restart).toBe('no');
    expect(migrate.environment).toMatchObject({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
      POLICY_GATEWAY_DATABASE_URL: DATABASE_URL,
    });
  });

  it('starts the gateway only after migrate completed successfully and postgres is healthy', () => {
    expect(service('gateway').depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
  });

  it('runs the gateway from the image entrypoint (serve), on the PostgreSQL backend, port 8080', () => {
    const gateway = service('gateway');
    expect(gateway.entrypoint).toBeUndefined();
    expect(gateway.command).toBeUndefined();
    expect(gateway.environment).toMatchObject({
      POLICY_GATEWAY_AUDIT_STORE_BACKEND: 'postgres',
      POLICY_GATEWAY_DATABASE_URL: DATABASE_URL,
    });
    expect(gateway.ports).toContain('8080:8080');
    expect(gateway.healthcheck?.test.join(' ')).toMatch(/\/(ready|health)/);
  });

  it('migrates with the very image the gateway runs', () => {
    expect(service('migrate').image).toBe(service('gateway').image);
    expect(service('migrate').build).toEqual(service('gateway').build);
  });

  it('serves the Workbench on 5173, pointed at the gateway', () => {
    const workbench = service('workbench');
    expect(workbench.ports?.some((port) => port.startsWith('5173:'))).toBe(true);
    expect(workbench.environment?.WORKBENCH_GATEWAY_URL).toBe('http://localhost:8080');
  });

  it('gives every read-only service a tmpfs /tmp', () => {
    const readOnly = Object.entries(compose.services).filter(([, s]) => s.read_only === true);
    expect(readOnly.length).toBeGreaterThan(0);
    for (const [, s] of readOnly) expect(s.tmpfs).toContain('/tmp');
  });

  it('builds from Dockerfiles that exist, with the repository root as context', () => {
    for (const name of ['migrate', 'gateway', 'workbench']) {
      const build = service(name).build;
      expect(build?.context).toBe('..');
      expect(existsSync(repoPath(build?.dockerfile ?? 'missing'))).toBe(true);
    }
  });
});
