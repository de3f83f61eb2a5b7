// The two images, read without a Docker engine: multi-stage, non-root, health-checked, and
// built only from files that exist in the repository.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type DockerStage,
  lastInstruction,
  parseDockerfile,
} from './support/dockerfile-instructions.js';
import { repoPath } from './support/repo-path.js';

function stagesOf(path: string): readonly DockerStage[] {
  return parseDockerfile(readFileSync(repoPath(path), 'utf8'));
}

function finalStage(stages: readonly DockerStage[]): DockerStage {
  const stage = stages.at(-1);
  if (!stage) throw new Error('no FROM');
  return stage;
}

/** Sources of COPY instructions that read the build context (not another stage). */
function contextSources(stages: readonly DockerStage[]): string[] {
  return stages.flatMap((stage) =>
    stage.instructions
      .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
      .flatMap((i) =>
        i.args
          .split(' ')
          .filter((word) => !word.startsWith('--'))
          .slice(0, -1),
      ),
  );
}

const images = [
  ['gateway', 'services/policy-gateway/Dockerfile'],
  ['workbench', 'apps/workbench/Dockerfile'],
] as const;

describe.each(images)('the %s Dockerfile', (_, path) => {
  const stages = stagesOf(path);
  const runtime = finalStage(stages);

  it('builds in more than one stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
  });

  it('runs the final image as a numeric non-root user', () => {
    const user = lastInstruction(runtime, 'USER') ?? 'root';
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(user.split(':')[0]).not.toBe('0');
  });

  it('has a HEALTHCHECK in exec form', () => {
    expect(lastInstruction(runtime, 'HEALTHCHECK')).toMatch(/CMD \[/);
  });

  it('copies only files that exist in the build context (the repository root)', () => {
    const sources = contextSources(stages);
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(repoPath(source)), source).toBe(true);
  });
});

describe('the gateway Dockerfile', () => {
  const stages = stagesOf('services/policy-gateway/Dockerfile');
  const runtime = finalStage(stages);

  it('listens on every interface with authentication on, so that a bare `docker run` starts rather than being refused', () => {
    const env = runtime.instructions
      .filter((instruction) => instruction.keyword === 'ENV')
      .flatMap((instruction) => instruction.args.split(/\s+/))
      .map((pair) => pair.split('='));
    expect(env).toContainEqual(['POLICY_GATEWAY_HOST', '0.0.0.0']);
    // The gateway refuses a non-loopback host with POLICY_GATEWAY_AUTH unset.
    expect(env).toContainEqual(['POLICY_GATEWAY_AUTH', 'on']);
  });

  it('checks health on /health with Node’s fetch (no curl in the image)', () => {
    const check = lastInstruction(runtime, 'HEALTHCHECK') ?? '';
    expect(check).toContain('/health');
    expect(check).toContain('"node"');
  });

  it('starts entrypoint.sh in exec form, so the gateway receives SIGTERM', () => {
    const entrypoint = JSON.parse(lastInstruction(runtime, 'ENTRYPOINT') ?? 'null') as unknown;
    expect(entrypoint).toEqual(['/app/services/policy-gateway/entrypoint.sh']);
  });

  it('installs from the lockfile, and gives the final image production dependencies only', () => {
    const installs = stages.flatMap((s) => s.instructions).filter((i) => /npm ci/.test(i.args));
    expect(installs.length).toBeGreaterThan(0);
    const fromStage = (copy: string) => /--from=(\S+)/.exec(copy)?.[1];
    const modulesCopy = runtime.instructions.find(
      (i) => i.keyword === 'COPY' && /\/app\/node_modules/.test(i.args),
    );
    const modulesStage = stages.find((s) =>
      s.from.endsWith(` AS ${fromStage(modulesCopy?.args ?? '')}`),
    );
    const modulesInstall = modulesStage?.instructions.find((i) => /npm ci/.test(i.args));
    expect(modulesInstall?.args).toContain('--omit=dev');
  });

  it('runs the compiled gateway: dist/ from a build stage, and no TypeScript sources', () => {
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContainEqual(
      expect.stringMatching(
        /^--from=\S+ \/app\/services\/policy-gateway\/dist services\/policy-gateway\/dist$/,
      ),
    );
    const build = stages.find((s) =>
      s.instructions.some(
        (i) => i.keyword === 'RUN' && /npm run build -w services\/policy-gateway/.test(i.args),
      ),
    );
    expect(build).toBeDefined();
    for (const copy of copies.filter((c) => !c.startsWith('--from='))) {
      expect(copy, copy).not.toMatch(
        /\bsrc\b|^libs\/|services\/policy-gateway services\/policy-gateway$/,
      );
    }
  });

  it('puts `policy-gateway` on PATH for the entrypoint, compose and the Job', () => {
    expect(
      runtime.instructions.some(
        (i) =>
          i.keyword === 'RUN' &&
          /ln -s \S+bin\/policy-gateway\.js \/usr\/local\/bin\/policy-gateway/.test(i.args),
      ),
    ).toBe(true);
  });

  it('runs no migration while building or starting', () => {
    const run = stages
      .flatMap((s) => s.instructions)
      .filter((i) => ['RUN', 'CMD', 'ENTRYPOINT'].includes(i.keyword));
    expect(run.filter((i) => /\bmigrate\b/.test(i.args))).toEqual([]);
  });
});

describe('the Workbench Dockerfile', () => {
  const runtime = finalStage(stagesOf('apps/workbench/Dockerfile'));

  it('writes config.json at start through the nginx entrypoint hook', () => {
    const copies = runtime.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(
      copies.some((c) => c.includes('docker/40-workbench-config.sh /docker-entrypoint.d/')),
    ).toBe(true);
    expect(copies.some((c) => c.includes('docker/nginx.conf /etc/nginx/conf.d/default.conf'))).toBe(
      true,
    );
  });
});

describe('the Workbench nginx config', () => {
  const conf = readFileSync(repoPath('apps/workbench/docker/nginx.conf'), 'utf8');

  it('falls back to index.html for client-side routes', () => {
    expect(conf).toMatch(/try_files \$uri \$uri\/ \/index\.html;/);
  });

  it('serves config.json from where the start script writes it, uncached', () => {
    const block = /location = \/config\.json \{([^}]*)\}/.exec(conf)?.[1] ?? '';
    expect(block).toContain('alias /tmp/workbench/config.json;');
    expect(block).toContain('no-store');
  });
});

describe('.dockerignore', () => {
  const patterns = readFileSync(repoPath('.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('keeps node_modules, .git and tests out of the build context', () => {
    expect(patterns).toEqual(expect.arrayContaining(['**/node_modules', '.git', '**/tests']));
  });
});
