/**
 * node-postgres sessions for the SQL tests of aws_lambda: connect as a role, read an error's
 * SQLSTATE, message, detail and hint exactly as the server sent them, collect WARNINGs, and check
 * that the session still works after a failed statement.
 */
import assert from 'node:assert/strict';
import pg from 'pg';

export interface SqlError {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

export interface Session {
  client: pg.Client;
  /** NOTICE and WARNING messages received so far (severity, message, hint). */
  notices: { severity?: string; message: string; hint?: string }[];
  query<R extends pg.QueryResultRow = any>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The error `sql` fails with; fails the test when it succeeds. */
  error(sql: string, params?: unknown[]): Promise<SqlError>;
  /** A following statement in the same session works. */
  assertUsable(): Promise<void>;
  /** The backend's pid. */
  pid(): Promise<number>;
  end(): Promise<void>;
}

/**
 * The startup options of every test session unless a test opts out: aws_lambda.request_timeout_ms
 * of 20 s, since a call that meets a cold start on a loaded machine can outlast the default 3 s.
 * A startup option beats ALTER DATABASE / ALTER ROLE ... SET (a SET in the session beats it), so
 * tests of those settings open sessions with `{ coldStartRoom: false }` (psql: `PGOPTIONS: ''`).
 */
export const COLD_START_ROOM = '-c aws_lambda.request_timeout_ms=20000';

/** The same URL with another user and password. */
export function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

export async function connect(url: string, { coldStartRoom = true } = {}): Promise<Session> {
  const client = new pg.Client({ connectionString: url, options: coldStartRoom ? COLD_START_ROOM : undefined });
  const notices: Session['notices'] = [];
  client.on('notice', (n) => notices.push({ severity: n.severity, message: n.message ?? '', hint: n.hint }));
  // A backend ended under the client (a test stopping things) must not crash the test process.
  client.on('error', () => undefined);
  await client.connect();
  const session: Session = {
    client,
    notices,
    async query(sql, params) {
      try {
        return await client.query(sql, params as unknown[]);
      } catch (err) {
        // The detail says why (which Lambda error, which timeout): keep it in the failure.
        const e = err as pg.DatabaseError;
        if (e.detail) e.message += ` (DETAIL: ${e.detail})`;
        throw e;
      }
    },
    async error(sql, params) {
      try {
        await client.query(sql, params as unknown[]);
      } catch (err) {
        const e = err as pg.DatabaseError;
        assert.ok(e.code, `not an error from the server: ${String(err)}`);
        const out: SqlError = { code: e.code, message: e.message };
        if (e.detail !== undefined) out.detail = e.detail;
        if (e.hint !== undefined) out.hint = e.hint;
        return out;
      }
      assert.fail(`expected an error from: ${sql}`);
    },
    async assertUsable() {
      const r = await client.query('SELECT 41 + 1 AS n');
      assert.equal(r.rows[0].n, 42, 'the session goes on after the error');
    },
    async pid() {
      return (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    },
    end: () => client.end().catch(() => undefined),
  };
  return session;
}
