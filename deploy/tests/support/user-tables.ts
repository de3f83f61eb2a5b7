// The tables a database holds outside PostgreSQL's own schemas: empty means never migrated.
import pg from 'pg';

export async function userTables(databaseUrl: string): Promise<readonly string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const result = await client.query<{ name: string }>(
      `select table_schema || '.' || table_name as name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema') order by 1`,
    );
    return result.rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}
