// The one test runner of the repository: every workspace package is a Vitest project.
// `npm test` runs them all but the browser tests (`npm run test:e2e`). The read-replica tests,
// which need PostgreSQL's own binaries, have a configuration of their own outside these projects
// (`npm run test:replica`, services/policy-gateway/vitest.replica.config.ts); CI runs both.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'libs/*',
      'services/*',
      'apps/workbench',
      'apps/workbench/vitest.e2e.config.ts',
      'deploy',
    ],
  },
});
