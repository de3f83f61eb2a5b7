import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorTable, settingsTable } from '../scripts/readme-tables.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README.md', () => {
  it('has the configuration table generated from the settings module', () => {
    expect(readme).toContain(settingsTable());
  });

  it('has the error table generated from the error catalogue', () => {
    expect(readme).toContain(errorTable());
  });

  it('walks through the curl commands of the issue', () => {
    expect(readme).toContain(
      `curl -X POST http://localhost:8080/policy/evaluate -H "Content-Type: application/json" -d '{"prompt": "test prompt", "user_id": "test-user"}'`,
    );
    expect(readme).toContain('curl http://localhost:8080/governance/audit?limit=10');
  });
});
