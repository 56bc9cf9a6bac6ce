/** Other databases of a test service's embedded PostgreSQL, as its superuser. */
import pg from 'pg';
import type { TestService } from './service.js';
import { COLD_START_ROOM } from './sql-session.js';

export function databaseUrl(svc: TestService, database: string): string {
  const url = new URL(svc.postgres.superuserUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `fn` on a new session of `database` (with COLD_START_ROOM), closed after. */
export async function inDatabase<T>(svc: TestService, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(svc, database), options: COLD_START_ROOM });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Moves every line of a log group `days` back in time, in pglambda's state database, as if written then. */
export async function backdateLogGroup(svc: TestService, group: string, days: number): Promise<void> {
  const client = new pg.Client({ connectionString: svc.postgres.url });
  await client.connect();
  try {
    await client.query(
      `update logs.log_chunks set ts = array(select t - $2::bigint from unnest(ts) with ordinality u(t, n) order by n),
         first_ts = first_ts - $2::bigint, last_ts = last_ts - $2::bigint
       where group_id = (select id from logs.log_groups where name = $1)`,
      [group, days * 86_400_000],
    );
  } finally {
    await client.end();
  }
}
