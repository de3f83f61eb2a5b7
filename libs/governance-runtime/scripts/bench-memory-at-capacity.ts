/**
 * What one write costs the memory store once it is full, when every write drops its oldest
 * entry: the hash chain over the chain index over the repository, as `serve` composes them
 * with POLICY_GATEWAY_AUDIT_STORE=memory. The store is filled to each capacity, then the
 * median over 15 rounds of µs per append (wall time, one process) is printed.
 *
 * Usage: `npm run bench:memory-at-capacity -w libs/governance-runtime [-- capacity ...]`
 * (default 1,000 100,000 1,000,000; POLICY_GATEWAY_MEMORY_STORE_MAX_ENTRIES allows up to 10 M).
 *
 * Measured on 2 shared CPUs (Dec 2026), µs per append at capacity, medians of 15 rounds:
 *
 *     capacity    before (array shift/slice)   after (SlidingWindow)
 *        1,000                      59–89                   62–75
 *      100,000                      6,441                      43
 *    1,000,000                    103,247                      39
 *
 * Before, the chain index copied its whole chain (`slice`) and the repository its whole list
 * (`shift`, which V8 cannot do in place on an array that large) on every drop.
 */
import { MemoryAuditLogEntryRepository } from '../adapters/memory/memory-audit-log-entry-repository.js';
import { MemoryChainIndex } from '../adapters/memory/memory-chain-index.js';
import { HashChainedAuditLog } from '../src/hash-chained-audit-log.js';
import { at, makeEntry } from '../testing/audit-log-entry-fixtures.js';

const capacities = process.argv.slice(2).map(Number);
for (const capacity of capacities.length > 0 ? capacities : [1_000, 100_000, 1_000_000]) {
  if (!Number.isInteger(capacity) || capacity < 1) {
    console.error(`capacity must be a positive integer, got ${capacity}`);
    process.exit(2);
  }
  const chain = new HashChainedAuditLog(
    new MemoryChainIndex(new MemoryAuditLogEntryRepository({ maxEntries: capacity })),
  );
  let written = 0;
  while (written < capacity) await chain.append(makeEntry({ occurredAt: at(written++) }));
  const rounds: number[] = [];
  for (let round = 0; round < 15; round += 1) {
    const appends = 200;
    const start = process.hrtime.bigint();
    for (let i = 0; i < appends; i += 1) {
      await chain.append(makeEntry({ occurredAt: at(written++) }));
    }
    rounds.push(Number(process.hrtime.bigint() - start) / appends / 1000);
  }
  rounds.sort((a, b) => a - b);
  console.log(
    `capacity ${capacity.toLocaleString('en')}: ${rounds[7]!.toFixed(1)} µs per append once full (median of 15 rounds of 200)`,
  );
}
