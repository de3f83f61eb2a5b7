/**
 * Migration 009: every change to a key in `api_keys` is announced on the channel
 * `policy_gateway_api_keys` (`pg_notify`, sent when the transaction commits), with the key's id
 * as payload, or an empty payload after a TRUNCATE (every key may have changed). Gateways keep
 * the keys they have verified in memory and drop one when its id is announced, so that a key
 * revoked through one replica is refused by every other replica as soon as the notification
 * arrives. An UPDATE that only records a use (`last_used_at`) announces nothing: gateways record
 * uses once a minute per key, and that is no reason for every replica to look the key up again.
 */
import { type Kysely, sql } from 'kysely';

/** The channel gateways LISTEN on; the payload is a key's id, or '' for every key. */
export const API_KEY_CHANGES_CHANNEL = 'policy_gateway_api_keys';

const NOTIFY_FUNCTION = 'api_keys_notify_change';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function ${sql.id(NOTIFY_FUNCTION)}() returns trigger language plpgsql as $$
    begin
      if tg_op = 'TRUNCATE' then
        perform pg_notify(${sql.lit(API_KEY_CHANGES_CHANNEL)}, '');
      elsif tg_op = 'INSERT' then
        perform pg_notify(${sql.lit(API_KEY_CHANGES_CHANNEL)}, new.id);
      elsif tg_op = 'DELETE' then
        perform pg_notify(${sql.lit(API_KEY_CHANGES_CHANNEL)}, old.id);
      elsif (to_jsonb(new) - 'last_used_at') is distinct from (to_jsonb(old) - 'last_used_at') then
        perform pg_notify(${sql.lit(API_KEY_CHANGES_CHANNEL)}, new.id);
        if new.id <> old.id then
          perform pg_notify(${sql.lit(API_KEY_CHANGES_CHANNEL)}, old.id);
        end if;
      end if;
      return null;
    end
    $$`.execute(db);
  await sql`create trigger api_keys_notify_change
    after insert or update or delete on api_keys
    for each row execute function ${sql.id(NOTIFY_FUNCTION)}()`.execute(db);
  await sql`create trigger api_keys_notify_truncate
    after truncate on api_keys
    for each statement execute function ${sql.id(NOTIFY_FUNCTION)}()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger api_keys_notify_truncate on api_keys`.execute(db);
  await sql`drop trigger api_keys_notify_change on api_keys`.execute(db);
  await sql`drop function ${sql.id(NOTIFY_FUNCTION)}()`.execute(db);
}
