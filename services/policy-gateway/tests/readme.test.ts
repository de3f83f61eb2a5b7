import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorTable, settingsTable } from '../scripts/readme-tables.js';
import { SETTING_DECLARATIONS } from '../src/config/setting-declarations.js';
import { listSettings } from '../src/config/setting-tree.js';
import { parseKeysArgs } from '../src/keys-commands.js';

/** Table cells compared without the padding a Markdown formatter adds. */
function normalised(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => line.replace(/ *\| */g, '|').replace(/-{3,}/g, '---'))
    .join('\n');
}

const readme = normalised(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
const rootReadme = normalised(readFileSync(new URL('../../../README.md', import.meta.url), 'utf8'));

describe('README.md', () => {
  it('has the configuration table generated from the settings module', () => {
    expect(readme).toContain(normalised(settingsTable()));
  });

  it('repeats the configuration table in the repository README, as generated', () => {
    expect(rootReadme).toContain(normalised(settingsTable()));
  });

  it('has the error table generated from the error catalogue', () => {
    expect(readme).toContain(normalised(errorTable()));
  });

  it('walks through the curl commands of the issue', () => {
    const raw = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(raw).toContain(
      `curl -X POST http://localhost:8080/policy/evaluate -H "Content-Type: application/json" -d '{"prompt": "test prompt", "user_id": "test-user"}'`,
    );
    expect(raw).toContain('curl http://localhost:8080/governance/audit?limit=10');
  });
});

/** The READMEs that walk through access control, as written (not normalised). */
const walkThroughs = [
  ['README.md', readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')],
  [
    'services/policy-gateway/README.md',
    readFileSync(new URL('../README.md', import.meta.url), 'utf8'),
  ],
  ['deploy/README.md', readFileSync(new URL('../../../deploy/README.md', import.meta.url), 'utf8')],
  [
    'deploy/kubernetes/README.md',
    readFileSync(new URL('../../../deploy/kubernetes/README.md', import.meta.url), 'utf8'),
  ],
] as const;

describe('the access-control walk-through', () => {
  const raw = walkThroughs[0][1];

  it('keeps the first two commands of the repository README', () => {
    const firstBlock = /```sh\n([^`]*)```/.exec(raw)?.[1] ?? '';
    expect(
      firstBlock
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('#')[0]?.trim()),
    ).toEqual(['npm install && npm start', 'npm test']);
  });

  it('makes keys, starts the gateway with authentication on, and calls it with each key', () => {
    expect(raw).toContain('npx policy-gateway keys create --role evaluator');
    expect(raw).toContain('npx policy-gateway keys create --role auditor');
    expect(raw).toContain('POLICY_GATEWAY_AUTH=on npx policy-gateway serve');
    expect(raw).toContain(
      `curl -X POST http://localhost:8080/policy/evaluate -H "Authorization: Bearer $EVALUATOR_KEY"`,
    );
    expect(raw).toContain(
      'curl http://localhost:8080/governance/audit?limit=10 -H "Authorization: Bearer $AUDITOR_KEY"',
    );
    expect(raw).toContain('HTTP/1.1 401 Unauthorized');
    expect(raw).toContain('HTTP/1.1 403 Forbidden');
  });

  it.each(walkThroughs)(
    '%s: every `keys …` command in its shell blocks is one the CLI takes',
    (_, text) => {
      const code = [...text.matchAll(/```sh\n([^`]*)```/g)].map((m) => m[1] ?? '').join('\n');
      const commands = [...code.matchAll(/(?:policy-gateway keys|run --rm keys) ([^\n#]*)/g)].map(
        (m) => (m[1] ?? '').replace(/\\$/, '').trim(),
      );
      expect(commands.length).toBeGreaterThan(0);
      for (const command of commands) {
        // Placeholders stand for a real id.
        const args = command.replace('<id>', 'IogsjmSuP5ru').split(/\s+/).filter(Boolean);
        if (args[0] === '…' || args.length === 0 || args[0]?.includes('|')) continue;
        expect(parseKeysArgs(args), command).not.toHaveProperty('error');
      }
    },
  );

  it.each(walkThroughs)(
    '%s: every POLICY_GATEWAY_* variable it sets is a declared setting',
    (_, text) => {
      const declared = new Set(listSettings(SETTING_DECLARATIONS).map((setting) => setting.name));
      // Deployment-only variables of compose.yaml, not settings of the gateway.
      const composeOnly = new Set([
        'POLICY_GATEWAY_PUBLISH_ADDRESS',
        'POLICY_GATEWAY_DEV_POSTGRES_PORT',
      ]);
      const set = [...text.matchAll(/(POLICY_GATEWAY_[A-Z_]+)=/g)].map((m) => m[1] ?? '');
      for (const name of set) if (!composeOnly.has(name)) expect(declared, name).toContain(name);
    },
  );
});
