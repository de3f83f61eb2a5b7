/** The Kysely schema of `api_keys` as migration 005 leaves it. */
import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type NullableTimestamp = ColumnType<Date | null, Date | null, Date | null>;

export interface ApiKeysTable {
  readonly id: string;
  readonly name: string | null;
  readonly role: string;
  readonly secret_hash: string;
  readonly created_at: Timestamp;
  readonly created_by: string | null;
  readonly expires_at: NullableTimestamp;
  readonly revoked_at: NullableTimestamp;
  readonly last_used_at: NullableTimestamp;
}

// A type alias, not an interface: Kysely's `withTables` wants an indexable record.
export type ApiKeysDatabase = {
  readonly api_keys: ApiKeysTable;
};
