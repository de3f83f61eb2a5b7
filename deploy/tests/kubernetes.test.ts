// deploy/kubernetes: the manifests parse, kustomization lists them, each Deployment has probes,
// resources and a locked-down security context, the gateway reads its database URL from the
// Secret, and the migration Job runs `policy-gateway migrate` with the same image.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { repoPath } from './support/repo-path.js';

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
type Manifest = { readonly [key: string]: Json };

const directory = repoPath('deploy/kubernetes');
const files = readdirSync(directory).filter((file) => file.endsWith('.yaml'));
const kustomization = parse(readFileSync(`${directory}/kustomization.yaml`, 'utf8')) as {
  resources: string[];
};

function manifestsOf(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(`${directory}/${file}`, 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
    return document.toJS() as Manifest;
  });
}

const applied = kustomization.resources.flatMap(manifestsOf);

/** Follows a dotted path (numeric segments index arrays); undefined when absent. */
function at(value: Json | undefined, path: string): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current)
      ? (current as readonly Json[])[Number(key)]
      : (current as { readonly [key: string]: Json })[key];
  }
  return current;
}

function find(kind: string, name: string): Manifest {
  const found = applied.find((m) => m.kind === kind && at(m, 'metadata.name') === name);
  if (!found) throw new Error(`kustomization applies no ${kind} ${name}`);
  return found;
}

const deployments = applied.filter((m) => m.kind === 'Deployment');
const gateway = find('Deployment', 'policy-gateway');
const gatewayContainer = at(gateway, 'spec.template.spec.containers.0');
const job = find('Job', 'policy-gateway-migrate');
const jobContainer = at(job, 'spec.template.spec.containers.0');

describe('Kubernetes manifests', () => {
  it.each(files)('%s parses, and every document has apiVersion, kind and a name', (file) => {
    for (const manifest of manifestsOf(file)) {
      expect(typeof manifest.apiVersion).toBe('string');
      expect(typeof manifest.kind).toBe('string');
      if (manifest.kind !== 'Kustomization')
        expect(typeof at(manifest, 'metadata.name')).toBe('string');
    }
  });

  it('kustomization lists files that exist, and no namespace (namespace-agnostic)', () => {
    for (const resource of kustomization.resources)
      expect(existsSync(`${directory}/${resource}`)).toBe(true);
    expect(applied.every((m) => at(m, 'metadata.namespace') === undefined)).toBe(true);
  });

  it.each(['policy-gateway', 'workbench'])(
    'the %s Deployment has readiness and liveness probes, requests and limits, and runs as non-root on a read-only root',
    (name) => {
      const deployment = find('Deployment', name);
      const container = at(deployment, 'spec.template.spec.containers.0');
      expect(at(container, 'readinessProbe.httpGet.path')).toBeTypeOf('string');
      expect(at(container, 'livenessProbe.httpGet.path')).toBeTypeOf('string');
      for (const path of ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'])
        expect(at(container, `resources.${path}`)).toBeDefined();
      expect(at(deployment, 'spec.template.spec.securityContext.runAsNonRoot')).toBe(true);
      expect(at(container, 'securityContext.readOnlyRootFilesystem')).toBe(true);
      expect(at(container, 'securityContext.allowPrivilegeEscalation')).toBe(false);
    },
  );

  it('every container with a read-only root gets a writable /tmp from an emptyDir', () => {
    const podSpecs = applied
      .filter((m) => m.kind === 'Deployment' || m.kind === 'Job')
      .map((m) => at(m, 'spec.template.spec'));
    expect(podSpecs.length).toBe(3);
    for (const pod of podSpecs) {
      const volumes = (at(pod, 'volumes') ?? []) as readonly Json[];
      for (const container of (at(pod, 'containers') ?? []) as readonly Json[]) {
        if (at(container, 'securityContext.readOnlyRootFilesystem') !== true) continue;
        const mounts = (at(container, 'volumeMounts') ?? []) as readonly Json[];
        const tmp = mounts.find((mount) => at(mount, 'mountPath') === '/tmp');
        const volume = volumes.find((v) => at(v, 'name') === at(tmp, 'name'));
        expect(at(volume, 'emptyDir'), String(at(container, 'name'))).toBeDefined();
      }
    }
  });

  it('every Deployment is covered', () => {
    expect(deployments.map((d) => at(d, 'metadata.name')).sort()).toEqual([
      'policy-gateway',
      'workbench',
    ]);
  });

  it('the gateway runs 2 replicas, ready on /ready, alive on /health, never dropping below 2 in a rollout', () => {
    expect(at(gateway, 'spec.replicas')).toBe(2);
    expect(at(gatewayContainer, 'readinessProbe.httpGet.path')).toBe('/ready');
    expect(at(gatewayContainer, 'livenessProbe.httpGet.path')).toBe('/health');
    expect(at(gateway, 'spec.strategy.rollingUpdate.maxUnavailable')).toBe(0);
  });

  it('the gateway terminates gracefully: preStop pause shorter than the grace period', () => {
    const grace = at(gateway, 'spec.template.spec.terminationGracePeriodSeconds');
    const preStop = at(gatewayContainer, 'lifecycle.preStop.exec.command');
    expect(preStop).toEqual(['sleep', expect.stringMatching(/^\d+$/)]);
    const pause = Number((preStop as readonly string[])[1]);
    expect(typeof grace === 'number' && grace > pause + 10).toBe(true);
  });

  it.each([
    ['gateway', () => gatewayContainer],
    ['migration Job', () => jobContainer],
  ])(
    'the %s reads POLICY_GATEWAY_DATABASE_URL from Secret policy-gateway-database, key url',
    (_, container) => {
      const env = (at(container(), 'env') ?? []) as readonly Json[];
      const url = env.find((e) => at(e, 'name') === 'POLICY_GATEWAY_DATABASE_URL');
      expect(at(url, 'valueFrom.secretKeyRef')).toEqual({
        name: 'policy-gateway-database',
        key: 'url',
      });
      const backend = env.find((e) => at(e, 'name') === 'POLICY_GATEWAY_AUDIT_STORE_BACKEND');
      expect(at(backend, 'value')).toBe('postgres');
    },
  );

  it('the gateway runs the image entrypoint (serve), not a migration', () => {
    expect(at(gatewayContainer, 'command')).toBeUndefined();
    expect(JSON.stringify(at(gatewayContainer, 'args') ?? [])).not.toMatch(/migrat/);
  });

  it('the Job runs `policy-gateway migrate` once, with the gateway image, retries and clean-up bounded', () => {
    expect([
      ...((at(jobContainer, 'command') ?? []) as string[]),
      ...((at(jobContainer, 'args') ?? []) as string[]),
    ]).toEqual(['policy-gateway', 'migrate']);
    expect(at(jobContainer, 'image')).toBe(at(gatewayContainer, 'image'));
    expect(at(job, 'spec.template.spec.restartPolicy')).toBe('Never');
    expect(at(job, 'spec.backoffLimit')).toBeTypeOf('number');
    expect(at(job, 'spec.ttlSecondsAfterFinished')).toBeTypeOf('number');
  });

  it('the Job file documents the Helm pre-install/pre-upgrade and Argo CD PreSync hooks', () => {
    const text = readFileSync(`${directory}/policy-gateway-migrate-job.yaml`, 'utf8');
    expect(text).toContain('helm.sh/hook: pre-install,pre-upgrade');
    expect(text).toContain('argocd.argoproj.io/hook: PreSync');
  });

  it('the Services select their Deployment’s pods and target a named container port', () => {
    for (const name of ['policy-gateway', 'workbench']) {
      const svc = find('Service', name);
      const deployment = find('Deployment', name);
      const labels = at(deployment, 'spec.template.metadata.labels') as Record<string, string>;
      expect(labels).toMatchObject(at(svc, 'spec.selector') as Record<string, string>);
      const portNames = (
        (at(deployment, 'spec.template.spec.containers.0.ports') ?? []) as Json[]
      ).map((p) => at(p, 'name'));
      expect(portNames).toContain(at(svc, 'spec.ports.0.targetPort'));
    }
  });

  it('the Workbench forwards /api to the gateway Service, by its name and port', () => {
    const env = (at(find('Deployment', 'workbench'), 'spec.template.spec.containers.0.env') ??
      []) as readonly Json[];
    const target = at(
      env.find((e) => at(e, 'name') === 'WORKBENCH_PROXY_TARGET'),
      'value',
    );
    const service = find('Service', 'policy-gateway');
    expect(target).toBe(
      `http://${at(service, 'metadata.name')}:${at(service, 'spec.ports.0.port')}`,
    );
    expect(env.some((e) => at(e, 'name') === 'WORKBENCH_GATEWAY_URL')).toBe(false);
  });

  it('the gateway listens on every interface of its pod, so with authentication on', () => {
    const env = (at(gatewayContainer, 'env') ?? []) as readonly Json[];
    const value = (name: string) =>
      at(
        env.find((e) => at(e, 'name') === name),
        'value',
      );
    expect(value('POLICY_GATEWAY_HOST')).toBe('0.0.0.0');
    expect(value('POLICY_GATEWAY_AUTH')).toBe('on');
    expect(String(value('POLICY_GATEWAY_ALLOWED_HOSTS')).split(',')).toContain(
      at(find('Service', 'policy-gateway'), 'metadata.name'),
    );
  });

  it('the gateway takes OIDC settings from an optional ConfigMap, whose example is not applied', () => {
    expect(at(gatewayContainer, 'envFrom')).toEqual([
      { configMapRef: { name: 'policy-gateway-oidc', optional: true } },
    ]);
    const [example] = manifestsOf('policy-gateway-oidc.example.yaml');
    expect(example?.kind).toBe('ConfigMap');
    expect(at(example, 'metadata.name')).toBe('policy-gateway-oidc');
    expect(kustomization.resources).not.toContain('policy-gateway-oidc.example.yaml');
    // Only variables the gateway declares (the root README's table lists every one).
    const readme = readFileSync(repoPath('README.md'), 'utf8');
    for (const name of Object.keys((at(example, 'data') ?? {}) as object)) {
      expect(name).toMatch(/^POLICY_GATEWAY_OIDC_/);
      expect(readme, name).toContain(`\`${name}\``);
    }
  });

  it('the Secret is an example with key url, and is not applied (it would overwrite the real one)', () => {
    const [secret] = manifestsOf('policy-gateway-database-secret.example.yaml');
    expect(secret?.kind).toBe('Secret');
    expect(at(secret, 'metadata.name')).toBe('policy-gateway-database');
    expect(String(at(secret, 'stringData.url'))).toContain('CHANGE_ME');
    expect(kustomization.resources).not.toContain('policy-gateway-database-secret.example.yaml');
  });

  it('every replica signs checkpoints with the key of Secret policy-gateway-audit-signing-key, mounted read-only, whose example is not applied', () => {
    // Generated, the key would have nowhere to go (read-only root) and would change with every pod.
    const env = (at(gatewayContainer, 'env') ?? []) as readonly Json[];
    const keyFile = at(
      env.find((e) => at(e, 'name') === 'POLICY_GATEWAY_AUDIT_SIGNING_KEY_FILE'),
      'value',
    );
    const mount = ((at(gatewayContainer, 'volumeMounts') ?? []) as readonly Json[]).find(
      (m) => at(m, 'name') === 'audit-signing-key',
    );
    expect(at(mount, 'readOnly')).toBe(true);
    const volume = ((at(gateway, 'spec.template.spec.volumes') ?? []) as readonly Json[]).find(
      (v) => at(v, 'name') === 'audit-signing-key',
    );
    expect(at(volume, 'secret.secretName')).toBe('policy-gateway-audit-signing-key');
    expect(at(volume, 'secret.optional')).toBeUndefined();
    const files = ((at(volume, 'secret.items') ?? []) as readonly Json[]).map(
      (item) => `${at(mount, 'mountPath')}/${at(item, 'path')}`,
    );
    expect(files).toContain(keyFile);
    const [example] = manifestsOf('policy-gateway-audit-signing-key-secret.example.yaml');
    expect(example?.kind).toBe('Secret');
    expect(at(example, 'metadata.name')).toBe('policy-gateway-audit-signing-key');
    expect(Object.keys((at(example, 'stringData') ?? {}) as object)).toEqual([
      'audit-signing-key.pem',
    ]);
    expect(kustomization.resources).not.toContain(
      'policy-gateway-audit-signing-key-secret.example.yaml',
    );
  });

  it('every replica reads the same privacy keys from Secret policy-gateway-privacy-keys, whose example is not applied', () => {
    const env = (at(gatewayContainer, 'env') ?? []) as readonly Json[];
    const variable = (name: string) => env.find((e) => at(e, 'name') === name);
    const mount = ((at(gatewayContainer, 'volumeMounts') ?? []) as readonly Json[]).find(
      (m) => at(m, 'name') === 'privacy-keys',
    );
    expect(at(mount, 'readOnly')).toBe(true);
    const volume = ((at(gateway, 'spec.template.spec.volumes') ?? []) as readonly Json[]).find(
      (v) => at(v, 'name') === 'privacy-keys',
    );
    expect(at(volume, 'secret.secretName')).toBe('policy-gateway-privacy-keys');
    const files = ((at(volume, 'secret.items') ?? []) as readonly Json[]).map(
      (item) => `${at(mount, 'mountPath')}/${at(item, 'path')}`,
    );
    // The KEK and the HMAC key are files of the mounted Secret, not generated per pod.
    for (const name of ['POLICY_GATEWAY_SUBJECT_KEK_FILE', 'POLICY_GATEWAY_AUDIT_HMAC_KEY_FILE']) {
      expect(files, name).toContain(at(variable(name), 'value'));
    }
    // The subject data keys in a database of their own, named by the same Secret.
    expect(at(variable('POLICY_GATEWAY_SUBJECT_KEYS'), 'valueFrom.secretKeyRef')).toEqual({
      name: 'policy-gateway-privacy-keys',
      key: 'subject-keys-url',
    });
    const [example] = manifestsOf('policy-gateway-privacy-keys-secret.example.yaml');
    expect(example?.kind).toBe('Secret');
    expect(at(example, 'metadata.name')).toBe('policy-gateway-privacy-keys');
    const keys = Object.keys((at(example, 'stringData') ?? {}) as object).sort();
    expect(keys).toEqual(['audit-hmac-key', 'subject-kek', 'subject-keys-url']);
    expect(
      ((at(volume, 'secret.items') ?? []) as readonly Json[]).every((item) =>
        keys.includes(String(at(item, 'key'))),
      ),
    ).toBe(true);
    expect(kustomization.resources).not.toContain(
      'policy-gateway-privacy-keys-secret.example.yaml',
    );
  });
});
