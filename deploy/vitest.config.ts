// Tests that hold the deployment files to their promises: the entrypoint never migrates,
// compose and Kubernetes encode "migrate, then roll out", the images run as non-root.
// Storage checks use a real PostgreSQL: POLICY_GATEWAY_TEST_DATABASE_URL's server, or one the
// governance-runtime global setup starts when it is unset.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'deploy',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['@policy-gateway/governance-runtime/testing/vitest-global-setup'],
    hookTimeout: 60_000,
    testTimeout: 90_000,
  },
});
