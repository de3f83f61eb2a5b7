// The policy-gateway service's tests. Storage tests need a PostgreSQL server: the global
// setup starts an embedded one when POLICY_GATEWAY_TEST_DATABASE_URL is unset.
import { configDefaults, defineConfig } from 'vitest/config';
import { REPLICA_TESTS } from './vitest.replica.config.js';

export default defineConfig({
  test: {
    name: 'policy-gateway',
    include: ['tests/**/*.test.ts'],
    // Needs the machine's PostgreSQL binaries (pg_basebackup), which a machine with only Node.js
    // lacks: its own project, run by CI (`npm run test:replica`).
    exclude: [...configDefaults.exclude, ...REPLICA_TESTS],
    globalSetup: ['@policy-gateway/governance-runtime/testing/vitest-global-setup'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
