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
