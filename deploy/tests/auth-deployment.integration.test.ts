// The deployments with authentication on, run for real without Docker or a cluster: the
// gateway gets exactly the environment compose.yaml's `gateway` service, or the Kubernetes
// Deployment's container, gives it (only the database URL and the port are this machine's),
// keys come from the command the README and compose.yaml document, and the probes and health
// checks are asked as Docker and the kubelet ask them.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@policy-gateway/governance-runtime/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeService, readComposeFile } from './support/compose-file.js';
import { freePort } from './support/free-port.js';
import {
  type CommandEnv,
  type RunningGateway,
  runGatewayCommand,
  startGatewayServer,
  waitUntil,
} from './support/gateway-command.js';
import { httpRequest } from './support/http-request.js';
import { repoPath } from './support/repo-path.js';
import { runProcess } from './support/run-process.js';

const PROMPT = { prompt: 'Summarise the deployment runbook', user_id: 'deploy-test' };

interface CreatedKey {
  readonly id: string;
  readonly key: string;
  readonly role: string;
}

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

/** The database URL in the form compose.yaml writes it (accepted as written). */
function asyncpgUrl(url: string): string {
  return url.replace(/^postgres(ql)?:/, 'postgresql+asyncpg:');
}

/** `policy-gateway ARGS…` from a container's argv (`['policy-gateway', …]`). */
function argsAfterCommand(argv: readonly string[]): string[] {
  expect(argv[0]).toBe('policy-gateway');
  return argv.slice(1);
}

async function createKey(argv: readonly string[], env: CommandEnv): Promise<CreatedKey> {
  const result = await runGatewayCommand(argsAfterCommand(argv), env);
  expect(result.code, result.stderr).toBe(0);
  const created = JSON.parse(result.stdout) as CreatedKey;
  expect(created).toMatchObject({ id: expect.any(String), key: expect.any(String) });
  return created;
}

function bearer(key: CreatedKey): Record<string, string> {
  return { authorization: `Bearer ${key.key}` };
}

describe('compose.yaml, authentication on', () => {
  const compose = readComposeFile();
  const gatewayService = composeService(compose, 'gateway');
  const migrateService = composeService(compose, 'migrate');
  const keysService = composeService(compose, 'keys');
  let port: number;
  let gatewayEnv: CommandEnv;
  let gateway: RunningGateway;
  const keys: Record<string, CreatedKey> = {};

  /** `docker compose run --rm keys create --role ROLE --json` */
  const keysCreate = (role: string) =>
    createKey([...(keysService.entrypoint ?? []), 'create', '--role', role, '--json'], {
      ...keysService.environment,
      POLICY_GATEWAY_DATABASE_URL: asyncpgUrl(database.url),
    });

  /** The healthcheck's command, calling this machine's port instead of the container's. */
  const healthcheck = () => {
    const [kind, command, ...args] = gatewayService.healthcheck?.test ?? [];
    expect([kind, command]).toEqual(['CMD', 'node']);
    const localArgs = args.map((arg) => arg.replace(':8080/', `:${port}/`));
    return runProcess(process.execPath, localArgs, { timeoutMs: 10_000 });
  };

  beforeAll(async () => {
    port = await freePort();
    gatewayEnv = {
      ...gatewayService.environment,
      POLICY_GATEWAY_DATABASE_URL: asyncpgUrl(database.url),
      POLICY_GATEWAY_PORT: String(port),
    };
    const migrate = await runGatewayCommand(
      argsAfterCommand([...(migrateService.entrypoint ?? []), ...(migrateService.command ?? [])]),
      { ...migrateService.environment, POLICY_GATEWAY_DATABASE_URL: asyncpgUrl(database.url) },
    );
    expect(migrate.code, migrate.stderr).toBe(0);
    for (const role of ['admin', 'evaluator', 'auditor']) keys[role] = await keysCreate(role);
    gateway = startGatewayServer(gatewayEnv);
    await waitUntil(gateway, async () => (await healthcheck()).code === 0);
  }, 180_000);

  afterAll(async () => {
    if (gateway) expect(await gateway.stop(), gateway.output()).toBe(0);
  });

  it('passes its compose health check (/ready) and liveness (/health) without credentials', async () => {
    expect((await healthcheck()).code).toBe(0);
    expect((await httpRequest({ port, path: '/health', host: `localhost:${port}` })).status).toBe(
      200,
    );
  });

  it('answers a call without a key 401, as a problem', async () => {
    const answer = await httpRequest({
      port,
      path: '/policy/evaluate',
      method: 'POST',
      body: PROMPT,
      host: `localhost:${port}`,
    });
    expect(answer.status).toBe(401);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.json().code).toBe('UNAUTHENTICATED');
  });

  it('decides for the evaluator key the keys service made, and shows the trail to the auditor key', async () => {
    const decided = await httpRequest({
      port,
      path: '/policy/evaluate',
      method: 'POST',
      body: PROMPT,
      host: `localhost:${port}`,
      headers: bearer(keys.evaluator as CreatedKey),
    });
    expect(decided.status, decided.body).toBe(200);
    const auditId = decided.json().audit_id;
    const trail = await httpRequest({
      port,
      path: '/governance/audit?limit=10',
      host: `localhost:${port}`,
      headers: bearer(keys.auditor as CreatedKey),
    });
    expect(trail.status, trail.body).toBe(200);
    expect(trail.json<{ entries: { id: string }[] }>().entries.map((e) => e.id)).toContain(auditId);
  });

  it('refuses a role the key lacks with 403: the evaluator reads no trail, the admin decides nothing', async () => {
    const read = await httpRequest({
      port,
      path: '/governance/audit?limit=1',
      host: `localhost:${port}`,
      headers: bearer(keys.evaluator as CreatedKey),
    });
    expect(read.status).toBe(403);
    expect(read.contentType).toContain('application/problem+json');
    const decide = await httpRequest({
      port,
      path: '/policy/evaluate',
      method: 'POST',
      body: PROMPT,
      host: `localhost:${port}`,
      headers: bearer(keys.admin as CreatedKey),
    });
    expect(decide.status).toBe(403);
  });

  it('answers the names it is reached by (localhost, the service name `gateway`) and refuses others 421', async () => {
    for (const host of [`localhost:${port}`, 'gateway:8080', `127.0.0.1:${port}`])
      expect((await httpRequest({ port, path: '/health', host })).status, host).toBe(200);
    const rebound = await httpRequest({ port, path: '/health', host: 'attacker.example:8080' });
    expect(rebound.status).toBe(421);
    expect(rebound.json().code).toBe('HOST_NOT_ALLOWED');
  });

  it('would not start on all interfaces had POLICY_GATEWAY_AUTH been left out', async () => {
    const { POLICY_GATEWAY_AUTH: _auth, ...withoutAuth } = gatewayEnv;
    const refused = await runGatewayCommand(['serve'], {
      ...withoutAuth,
      POLICY_GATEWAY_PORT: String(await freePort()),
    });
    expect(refused.timedOut).toBe(false);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('POLICY_GATEWAY_AUTH');
  });
});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
}
interface PodVolume {
  readonly name: string;
  readonly secret?: {
    readonly secretName: string;
    readonly items?: readonly { readonly key: string; readonly path: string }[];
  };
}
interface HttpProbe {
  readonly httpGet: {
    readonly path: string;
    readonly port: string | number;
    readonly httpHeaders?: readonly { name: string; value: string }[];
  };
}

describe('the Kubernetes Deployment, authentication on', () => {
  const deployment = parse(
    readFileSync(repoPath('deploy/kubernetes/policy-gateway-deployment.yaml'), 'utf8'),
    { version: '1.1' },
  ) as {
    spec: {
      template: { spec: { containers: Record<string, Json>[]; volumes?: readonly PodVolume[] } };
    };
  };
  const container = deployment.spec.template.spec.containers[0] as unknown as {
    env: readonly EnvVar[];
    volumeMounts?: readonly { name: string; mountPath: string }[];
    startupProbe: HttpProbe;
    livenessProbe: HttpProbe;
    readinessProbe: HttpProbe;
  };
  let port: number;
  let podEnv: CommandEnv;
  let gateway: RunningGateway;
  let admin: CreatedKey;
  let subjectKeysDatabase: TestDatabase;
  let podFiles: string;

  /** The Secrets as the README makes them (the subject keys in a database of their own). */
  function secrets(): Record<string, Record<string, string>> {
    return {
      'policy-gateway-database': {
        url: database.url,
        'cursor-secret': randomBytes(32).toString('base64'),
      },
      'policy-gateway-privacy-keys': {
        'subject-kek': randomBytes(32).toString('hex'),
        'audit-hmac-key': randomBytes(32).toString('hex'),
        'subject-keys-url': subjectKeysDatabase.url,
      },
      'policy-gateway-audit-signing-key': {
        'audit-signing-key.pem': generateKeyPairSync('ed25519')
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      },
    };
  }

  /**
   * The container's environment: its Secret references resolved, and its Secret volumes
   * written under `podFiles` as the kubelet mounts them, the paths naming them moved there.
   */
  function containerEnv(): CommandEnv {
    const secret = secrets();
    const mounted = new Map<string, string>();
    for (const mount of container.volumeMounts ?? []) {
      const volume = deployment.spec.template.spec.volumes?.find((v) => v.name === mount.name);
      if (volume?.secret === undefined) continue;
      const data = secret[volume.secret.secretName];
      if (data === undefined) throw new Error(`no Secret ${volume.secret.secretName}`);
      const directory = join(podFiles, mount.name);
      mkdirSync(directory, { recursive: true });
      for (const item of volume.secret.items ?? []) {
        const value = data[item.key];
        if (value === undefined) throw new Error(`the Secret has no key ${item.key}`);
        writeFileSync(join(directory, item.path), value, { mode: 0o440 });
      }
      mounted.set(mount.mountPath, directory);
    }
    const env: Record<string, string> = {};
    for (const variable of container.env) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ref !== undefined) {
        const value = secret[ref.name]?.[ref.key];
        if (value === undefined) throw new Error(`the Secret ${ref.name} has no key ${ref.key}`);
        env[variable.name] = value;
      } else {
        expect(typeof variable.value, variable.name).toBe('string');
        const value = variable.value as string;
        const mountPath = [...mounted.keys()].find((path) => value.startsWith(`${path}/`));
        env[variable.name] =
          mountPath === undefined
            ? value
            : `${mounted.get(mountPath)}${value.slice(mountPath.length)}`;
      }
    }
    return env;
  }

  /** A kubelet probe: to the pod's IP, which is what its Host header says unless set. */
  async function probe(spec: HttpProbe): Promise<number> {
    const headers = Object.fromEntries(
      (spec.httpGet.httpHeaders ?? []).map((header) => [header.name.toLowerCase(), header.value]),
    );
    const { host = '10.244.1.17:8080', ...rest } = headers;
    return (await httpRequest({ port, path: spec.httpGet.path, host, headers: rest })).status;
  }

  beforeAll(async () => {
    port = await freePort();
    subjectKeysDatabase = await createTestDatabase();
    podFiles = mkdtempSync(join(tmpdir(), 'policy-gateway-pod-'));
    podEnv = { ...containerEnv(), POLICY_GATEWAY_PORT: String(port) };
    expect(podEnv.POLICY_GATEWAY_AUTH).toBe('on');
    const migrate = await runGatewayCommand(['migrate'], podEnv);
    expect(migrate.code, migrate.stderr).toBe(0);
    gateway = startGatewayServer(podEnv);
    await waitUntil(gateway, async () => (await probe(container.readinessProbe)) === 200);
    // `kubectl exec deploy/policy-gateway -- policy-gateway keys create …` runs in the pod,
    // with its environment, while it serves.
    admin = await createKey(
      ['policy-gateway', 'keys', 'create', '--role', 'admin', '--name', 'bootstrap', '--json'],
      podEnv,
    );
  }, 180_000);

  afterAll(async () => {
    if (gateway) expect(await gateway.stop(), gateway.output()).toBe(0);
    await subjectKeysDatabase?.drop();
    if (podFiles) rmSync(podFiles, { recursive: true, force: true });
  });

  it('passes its startup, liveness and readiness probes without credentials', async () => {
    for (const spec of [container.startupProbe, container.livenessProbe, container.readinessProbe])
      expect(await probe(spec), spec.httpGet.path).toBe(200);
  });

  it('answers in-cluster names of its Service and refuses a rebound domain', async () => {
    for (const host of [
      'policy-gateway:8080',
      'policy-gateway.governance.svc:8080',
      'policy-gateway.governance.svc.cluster.local:8080',
    ])
      expect((await httpRequest({ port, path: '/health', host })).status, host).toBe(200);
    expect((await httpRequest({ port, path: '/health', host: 'attacker.example' })).status).toBe(
      421,
    );
  });

  it('needs a key: none is 401, the bootstrap admin key made in the pod is accepted', async () => {
    const host = 'policy-gateway:8080';
    const anonymous = await httpRequest({ port, path: '/auth/me', host });
    expect(anonymous.status).toBe(401);
    const me = await httpRequest({ port, path: '/auth/me', host, headers: bearer(admin) });
    expect(me.status, me.body).toBe(200);
    expect(JSON.stringify(me.json())).toContain('admin');
  });

  it('the Kubernetes README documents that bootstrap command', () => {
    const readme = readFileSync(repoPath('deploy/kubernetes/README.md'), 'utf8');
    expect(readme).toContain(
      'kubectl exec deploy/policy-gateway -- policy-gateway keys create --role admin --name bootstrap',
    );
  });
});
