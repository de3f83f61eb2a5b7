/**
 * Prints README.md's configuration and error tables from the code that defines them (the
 * setting declarations, `ERROR_CATALOGUE`); a test fails when the README disagrees.
 * Usage: npx tsx services/policy-gateway/scripts/readme-tables.ts
 */
import { ERROR_CATALOGUE, type ErrorCode, problemType } from '../src/api/error-catalogue.js';
import { documentedDefault } from '../src/config/setting-declaration.js';
import { SETTING_DECLARATIONS } from '../src/config/setting-declarations.js';
import { listSettings } from '../src/config/setting-tree.js';

export function settingsTable(): string {
  const rows = listSettings(SETTING_DECLARATIONS).map(
    (setting) => `| \`${setting.name}\` | ${documentedDefault(setting)} | ${setting.description} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}

export function errorTable(): string {
  const rows = Object.entries(ERROR_CATALOGUE).map(
    ([code, entry]) =>
      `| \`${code}\` | ${entry.status} | ${entry.title} | ${entry.description} | \`${problemType(code as ErrorCode)}\` |`,
  );
  return ['| Code | Status | Title | What to do | `type` |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}

if (process.argv[1]?.endsWith('readme-tables.ts')) {
  process.stdout.write(`${settingsTable()}\n\n${errorTable()}\n`);
}
