/**
 * Fills `audit_log_entries` with entries shaped like a busy gateway's, for bench:reads: one
 * set-based `INSERT … SELECT generate_series` per month, so that 10 M entries take minutes,
 * not hours. Times are evenly spaced from `start` to `end`, each id a UUIDv7 of its entry's
 * time. The distributions are what the read paths are sensitive to: ~300 users of whom a few
 * make most of the traffic (user-0 about a tenth) plus 5,000 rare ones (`rare-<n>`, ~20
 * entries each); ~10 % deny and ~1.5 % error, with several reasons; a dozen policies, a few
 * busy; the policy version changing every 9 days; 80 % `policy.evaluate` on four gateway
 * instances, the rest decisions uploaded by three OPA servers or asked through the Data API;
 * each committed 1 to ~36 ms after it occurred (the end-to-end latency the stats report).
 * Chain columns are plausible (one chain per instance, increasing seqs) but do not verify.
 */
import { type Kysely, sql } from 'kysely';

export interface SeedOptions {
  readonly rows: number;
  readonly start: Date;
  readonly end: Date;
  readonly log: (line: string) => void;
}

const PROMPT =
  'Summarise the quarterly report for the board with the figures of each region, the ' +
  'changes against last year and a short outlook; keep it under one page, cite the tables ' +
  'you used, leave out customer names and anything marked confidential, and say which ' +
  'figures are estimates. Then list three risks the board should discuss and, for each, ' +
  'who owns it, what was done this quarter and what is planned next, in plain language, ' +
  'with no more than two sentences per risk and no jargon a non-specialist would not know.';

export async function seedAuditEntries<DB>(db: Kysely<DB>, options: SeedOptions): Promise<void> {
  const { rows, start, end, log } = options;
  const startMs = start.getTime();
  const stepMs = (end.getTime() - startMs) / rows;
  for (let month = new Date(start); month < end; ) {
    const next = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 1));
    const upTo = next < end ? next : end;
    const firstRow = Math.ceil((month.getTime() - startMs) / stepMs);
    const lastRow = Math.min(rows, Math.ceil((upTo.getTime() - startMs) / stepMs)) - 1;
    const began = performance.now();
    await sql`
      insert into audit_log_entries (id, decision_id, occurred_at, user_id, action, decision,
        reasons, policy_path, policy_version, policy_engine, input, result, error, latency_ms,
        request_id, client_request_id, client_address, user_agent, gateway_instance,
        principal_id, chain_id, chain_seq, prev_hash, entry_hash, inserted_at)
      select (lpad(to_hex(ms), 12, '0') || '7' || substr(h, 1, 3) || '8' || substr(h, 4, 15))::uuid,
             case action when 'opa.decision_log' then md5(h)::uuid::text
                  else (lpad(to_hex(ms), 12, '0') || '7' || substr(h, 19, 3) || '9' || substr(h, 22, 11) || substr(h, 1, 4))::uuid::text end,
             to_timestamp(ms / 1000.0),
             user_id,
             action,
             decision,
             case decision
               when 'deny' then jsonb_build_array(jsonb_build_object(
                 'code', (array['PII_DETECTED','SECRET_DETECTED','PROMPT_INJECTION','TOPIC_BLOCKED','QUOTA_EXCEEDED'])[1 + floor(r2 * 5)::int],
                 'message', 'the request broke a rule of the policy', 'severity', 'high'))
               when 'allow' then case when r2 < 0.1 then '[{"code":"LONG_PROMPT","message":"the prompt is long","severity":"low"}]'::jsonb else '[]'::jsonb end
               else '[]'::jsonb end,
             'data.policies.' || (array['chat','code','search','summarise','translate','support','finance','hr','legal','marketing','ops','research'])[1 + floor(12 * power(r3, 1.5))::int] || '.decision',
             'sha256:' || md5('version ' || (ms / (9 * 86400000))),
             case action when 'policy.evaluate' then 'embedded' else 'opa' end,
             jsonb_build_object('prompt', substr(${PROMPT}, 1, 120 + floor(r5 * 500)::int) || ' (request ' || i || ')',
                                'user_id', user_id, 'context', jsonb_build_object('app', 'workbench', 'locale', 'en-GB')),
             case decision when 'error' then null else jsonb_build_object('allow', decision = 'allow', 'reasons', '[]'::jsonb) end,
             case decision when 'error' then 'policy evaluation timed out' else null end,
             round((0.2 + 5 * power(r5, 3))::numeric, 3)::float8,
             'req-' || i, null, '10.0.' || (i % 7) || '.' || (i % 250),
             case when r4 < 0.8 then 'workbench/1.4' else 'python-httpx/0.28' end,
             instance, 'key:' || instance,
             md5('chain ' || instance)::uuid, i + 1, h || h, md5(h) || md5(h || 'x'),
             to_timestamp(ms / 1000.0) + (1 + 5 * power(r5, 3) + 30 * r2) * interval '1 millisecond'
        from (select i, ms, h, r2, r3, r4, r5, action, instance, user_id,
                     case when r1 < 0.10 then 'deny' when r1 < 0.115 then 'error' else 'allow' end as decision
                from (select i, (${startMs}::float8 + i * ${stepMs}::float8)::bigint as ms, md5(i::text) as h,
                             random() as r1, random() as r2, random() as r3, random() as r4, random() as r5,
                             random() as ra, random() as ru
                        from generate_series(${firstRow}::bigint, ${lastRow}::bigint) as i) as drawn
               cross join lateral (select
                  case when ra < 0.80 then 'policy.evaluate' when ra < 0.93 then 'opa.decision_log' else 'opa.data' end as action,
                  case when ra >= 0.80 and ra < 0.93 then 'opa-' || (i % 3) else 'gw-' || (i % 4) end as instance,
                  case when ru < 0.01 then 'rare-' || (i % 5000) else 'user-' || floor(300 * power(ru, 2.5))::int end as user_id
               ) as chosen) as seeded`.execute(db);
    log(
      `  seeded ${(lastRow - firstRow + 1).toLocaleString('en')} entries of ${month.toISOString().slice(0, 7)} in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    month = next;
  }
}
