// deploy/compose.yaml encodes the deployment order: postgres (healthy) → migrate (one shot,
// completed successfully) → gateway, with the database settings the issue names, and runs the
// gateway with authentication on, its keys made on demand by the `keys` service.
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type ComposeService, composeService, readComposeFile } from './support/compose-file.js';
import { repoPath } from './support/repo-path.js';

const DATABASE_URL = 'postgresql+asyncpg://policy_user:policy_pass@postgres:5432/sea_governance';

const composeFile = readComposeFile;
const compose = composeFile();

function service(name: string): ComposeService {
  return composeService(compose, name);
}

describe('compose.yaml', () => {
  it('defines postgres, migrate, gateway and workbench, and keys', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['gateway', 'keys', 'migrate', 'postgres', 'workbench'].sort(),
    );
  });

  it('gives postgres a pg_isready health check and a named volume', () => {
    const postgres = service('postgres');
    expect(postgres.healthcheck?.test.join(' ')).toContain('pg_isready');
    const volume = postgres.volumes?.[0]?.split(':')[0] ?? '';
    expect(Object.keys(compose.volumes ?? {})).toContain(volume);
  });

  it("keeps the gateway's data directory (its generated signing and privacy keys) on a named volume, the root being read-only", () => {
    const gateway = service('gateway');
    expect(gateway.read_only).toBe(true);
    const mount = gateway.volumes?.find((v) => v.endsWith(':/var/lib/policy-gateway')) ?? '';
    expect(Object.keys(compose.volumes ?? {})).toContain(mount.split(':')[0]);
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
    expect(gateway.ports).toContain('127.0.0.1:8080:8080');
    expect(gateway.healthcheck?.test.join(' ')).toMatch(/\/(ready|health)/);
  });

  it('runs the gateway on every interface of its container, so with authentication on', () => {
    expect(service('gateway').environment).toMatchObject({
      POLICY_GATEWAY_HOST: '0.0.0.0',
      POLICY_GATEWAY_AUTH: 'on',
    });
  });

  it('answers the Host names it is reached by: this machine, its health check, other containers', () => {
    const gateway = service('gateway');
    const allowed = (gateway.environment?.POLICY_GATEWAY_ALLOWED_HOSTS ?? '').split(',');
    expect(allowed).toEqual(expect.arrayContaining(['localhost', 'gateway']));
    // The health check calls an IP address, which the gateway answers whatever the list says.
    const healthcheckHost =
      /http:\/\/([^:/]+)/.exec(gateway.healthcheck?.test.join(' ') ?? '')?.[1] ?? '';
    expect(isIP(healthcheckHost) !== 0 || allowed.includes(healthcheckHost)).toBe(true);
    expect(
      composeFile({ POLICY_GATEWAY_ALLOWED_HOSTS: 'policy.example.com' }).services.gateway
        ?.environment?.POLICY_GATEWAY_ALLOWED_HOSTS,
    ).toBe('policy.example.com');
  });

  it('publishes the gateway and the Workbench on loopback unless POLICY_GATEWAY_PUBLISH_ADDRESS says where', () => {
    for (const name of ['gateway', 'workbench'])
      for (const port of service(name).ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    const published = composeFile({ POLICY_GATEWAY_PUBLISH_ADDRESS: '0.0.0.0' });
    expect(published.services.gateway?.ports).toEqual(['0.0.0.0:8080:8080']);
    expect(published.services.workbench?.ports).toEqual(['0.0.0.0:5173:8080']);
  });

  it('makes API keys on demand: `run --rm keys create …` runs `policy-gateway keys create …` after migrate', () => {
    const keys = service('keys');
    // `docker compose run --rm keys create --role admin` appends its words to the entrypoint.
    expect([...(keys.entrypoint ?? []), 'create', '--role', 'admin']).toEqual([
      'policy-gateway',
      'keys',
      'create',
      '--role',
      'admin',
    ]);
    expect(keys.command).toBeUndefined();
    expect(keys.environment).toEqual(service('migrate').environment);
    expect(keys.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      migrate: { condition: 'service_completed_successfully' },
    });
    expect(keys.image).toBe(service('gateway').image);
    expect(keys.restart).toBe('no');
  });

  it('never starts the keys service with `up`: a profile keeps it for `run`', () => {
    expect(service('keys').profiles?.length).toBeGreaterThan(0);
    for (const [name, s] of Object.entries(compose.services))
      if (name !== 'keys') expect(s.profiles, name).toBeUndefined();
  });

  it('migrates with the very image the gateway runs', () => {
    expect(service('migrate').image).toBe(service('gateway').image);
    expect(service('migrate').build).toEqual(service('gateway').build);
  });

  it('serves the Workbench on 5173, pointed at the gateway', () => {
    const workbench = service('workbench');
    expect(workbench.ports?.some((port) => /(^|:)5173:/.test(port))).toBe(true);
    // Same origin: nginx forwards /api to the gateway by its service name.
    expect(workbench.environment?.WORKBENCH_PROXY_TARGET).toBe('http://gateway:8080');
    expect(workbench.environment?.WORKBENCH_GATEWAY_URL).toBeUndefined();
  });

  it('gives every read-only service a tmpfs /tmp', () => {
    const readOnly = Object.entries(compose.services).filter(([, s]) => s.read_only === true);
    expect(readOnly.length).toBeGreaterThan(0);
    for (const [, s] of readOnly) expect(s.tmpfs).toContain('/tmp');
  });

  it('builds from Dockerfiles that exist, with the repository root as context', () => {
    for (const name of ['migrate', 'keys', 'gateway', 'workbench']) {
      const build = service(name).build;
      expect(build?.context).toBe('..');
      expect(existsSync(repoPath(build?.dockerfile ?? 'missing'))).toBe(true);
    }
  });
});
