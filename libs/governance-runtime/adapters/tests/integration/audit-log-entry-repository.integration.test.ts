/**
 * The contract of `AuditLogEntryRepository` on every adapter (memory, PGlite in a
 * temporary directory, a real PostgreSQL server), and through a decorator that only
 * forwards, to show that a decorator runs the whole contract with one call. What each
 * adapter promises on its own is in its own file.
 */
import { AuditLogEntryRepositoryDecorator } from '../../../src/audit-log-entry-repository-decorator.js';
import { CommitOutcomeResolver } from '../../../src/commit-outcome-resolver.js';
import {
  decoratedRepositoryHarness,
  memoryRepositoryHarness,
  pgliteRepositoryHarness,
  postgresServerRepositoryHarness,
} from '../../../testing/audit-log-entry-repository-harnesses.js';
import { describeAuditLogEntryRepositoryContract } from '../../../testing/describe-audit-log-entry-repository-contract.js';

class PassThrough extends AuditLogEntryRepositoryDecorator {}

// The suites run one after the other, each setting up its database in its own beforeAll:
// PGlite's initialisation holds the event loop long enough to time out a PostgreSQL
// connection being opened at the same time.
describeAuditLogEntryRepositoryContract(memoryRepositoryHarness());
describeAuditLogEntryRepositoryContract(pgliteRepositoryHarness());
describeAuditLogEntryRepositoryContract(postgresServerRepositoryHarness());
describeAuditLogEntryRepositoryContract(
  decoratedRepositoryHarness(
    postgresServerRepositoryHarness(),
    'a pass-through decorator',
    (inner) => new PassThrough(inner),
  ),
);
describeAuditLogEntryRepositoryContract(
  decoratedRepositoryHarness(
    postgresServerRepositoryHarness(),
    'CommitOutcomeResolver',
    (inner) => new CommitOutcomeResolver(inner, { settleMs: 1000 }),
  ),
);
