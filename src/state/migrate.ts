/**
 * Versioned schema for pglambda's own state. Each part registers numbered migrations; they run in
 * order, each in its own transaction, recorded in `pglambda.migrations`, so a newer pglambda opens an
 * older data directory and two starts racing on one database do not both apply a step.
 */
import type { Pool } from 'pg';
import { inTransaction } from './transaction.js';

export interface Migration {
  /** `<part>:<n>`, e.g. `lambda:1`; never renumber a released one. */
  id: string;
  sql: string;
}

export async function migrate(pool: Pool, migrations: Migration[]): Promise<void> {
  await pool.query(`create schema if not exists pglambda;
    create table if not exists pglambda.migrations (id text primary key, applied_at timestamptz not null default now())`);
  // Read once, so a restart with nothing to apply costs one query instead of a transaction per step.
  const applied = new Set((await pool.query<{ id: string }>('select id from pglambda.migrations')).rows.map((r) => r.id));
  for (const m of migrations.filter((m) => !applied.has(m.id))) {
    await inTransaction(pool, async (client) => {
      // Serialises concurrent migrators; the loser sees the row and skips.
      await client.query(`select pg_advisory_xact_lock(hashtext('pglambda.migrate'))`);
      const done = await client.query('select 1 from pglambda.migrations where id = $1', [m.id]);
      if (done.rowCount === 0) {
        await client.query(m.sql);
        await client.query('insert into pglambda.migrations (id) values ($1)', [m.id]);
      }
    });
  }
}
