// The policy-gateway service's tests. Storage tests need a PostgreSQL server: the global
// setup starts an embedded one when POLICY_GATEWAY_TEST_DATABASE_URL is unset.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'policy-gateway',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['@policy-gateway/governance-runtime/testing/vitest-global-setup'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
