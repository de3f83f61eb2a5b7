/**
 * A `pg` client that runs the statements marked `PREPARED` as named prepared statements, so
 * that each connection plans them once rather than on every call. For the audit list query
 * this is most of its cost: planning a recursive walk over a partitioned table, each
 * partition with its indexes, took ~16 ms of server CPU per page at 10 M entries, running
 * it ~2 ms (bench:reads). PostgreSQL then reuses a generic plan, whose partitions are pruned
 * as it runs, and plans again by itself when a partition is added or dropped. Kysely's `pg`
 * driver sends plain text, so the mark is a comment opening the statement, and the name is
 * derived from the text: the same query shape, whatever its parameters, is one statement.
 * The shapes are few (which filters are set), so each connection holds a few of them.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';

const MARK = '/* prepared */';

/** Opens a statement that `PreparedStatementClient` runs as a named prepared statement. */
export const PREPARED = sql.raw(MARK);

type AnyQuery = (...args: unknown[]) => unknown;

export class PreparedStatementClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const plain = this.query.bind(this) as unknown as AnyQuery;
    // pg's `query` has many overloads; only a text with values (what Kysely sends) is marked.
    const query: AnyQuery = (...args) => {
      const [text, values] = args;
      if (typeof text !== 'string' || !text.startsWith(MARK) || args.length > 2) {
        return plain(...args);
      }
      const name = `pg_gateway_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
      return plain({ name, text, values });
    };
    this.query = query as unknown as pg.Client['query'];
  }
}
