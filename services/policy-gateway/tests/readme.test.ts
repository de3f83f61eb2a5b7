import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorTable, settingsTable } from '../scripts/readme-tables.js';

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
