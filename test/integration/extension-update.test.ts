/**
 * aws_lambda 1.0 → 1.1 with ALTER EXTENSION aws_lambda UPDATE, on the system's PostgreSQL 15 (PGXS
 * install) and on the embedded PostgreSQL 18, while sessions use it: a session that invoked under
 * 1.0 and keeps its bridge connection invokes again after another session updated, as does a new
 * session, and errors keep their SQLSTATE, message, detail and hint. Also: a start on a data
 * directory whose database still has 1.0 updates it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../helpers/ports.js';
import { skipWithoutPsql } from '../helpers/psql.js';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { makeExtensions, skipWithoutPg15, startPg15, type SystemPostgres } from '../helpers/system-postgres.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
let svc: TestService;

before(async () => {
  svc = await startTestService({ examples: true });
});
after(() => svc.close());

async function query(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const INVOKE = `SELECT status_code, payload::text AS payload, executed_version FROM aws_lambda.invoke('my-function', '{"body": "Hello from Postgres!"}'::json)`;
const FAILING = `SELECT * FROM aws_lambda.invoke('no-such-function', '{}'::json)`;

/** The error fields a caller sees. */
async function errorOf(c: pg.Client, sql: string) {
  const e = await c.query(sql).then(() => assert.fail('no error'), (err: pg.DatabaseError) => err);
  return { code: e.code, message: e.message, detail: e.detail, hint: e.hint };
}

async function invokes(c: pg.Client) {
  const { rows } = await c.query(INVOKE);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].status_code, 200);
  assert.equal(rows[0].executed_version, '$LATEST');
  return rows[0].payload as string;
}

/**
 * In a database with aws_lambda 1.0 pointed at the bridge: session A invokes (keeping its
 * connection), session B updates, then A and a new session C invoke with the same results.
 */
async function updateWhileInUse(url: string, update: () => Promise<void>) {
  const a = new pg.Client({ connectionString: url });
  await a.connect();
  try {
    assert.equal((await a.query(`SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda'`)).rows[0].extversion, '1.0');
    const payload = await invokes(a);
    const failure = await errorOf(a, FAILING);
    assert.equal(failure.code, '58000');
    assert.match(failure.detail ?? '', /^AWS Lambda client returned '.*no-such-function/);
    const [conn] = (await a.query(`SELECT dblink_get_connections() AS c`)).rows;
    assert.deepEqual(conn.c, ['aws_lambda_bridge']);

    await update();
    assert.equal((await a.query(`SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda'`)).rows[0].extversion, '1.1');

    assert.equal(await invokes(a), payload, 'the session that invoked under 1.0');
    assert.deepEqual(await errorOf(a, FAILING), failure);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      assert.equal(await invokes(c), payload, 'a new session');
      assert.deepEqual(await errorOf(c, FAILING), failure);
      // The checks that stay in SQL: same SQLSTATE, message and hint as 1.0 gave.
      assert.deepEqual(await errorOf(c, `SELECT * FROM aws_lambda.invoke(NULL, '{}'::json)`),
        { code: '22023', message: 'function_name must not be null or empty', detail: undefined, hint: undefined });
      await c.query(`SET aws_lambda.request_timeout_ms = 0`);
      assert.deepEqual(await errorOf(c, INVOKE), {
        code: '22023',
        message: 'invalid value for parameter "aws_lambda.request_timeout_ms": "0"',
        detail: undefined,
        hint: 'Valid values are whole numbers of milliseconds between 1 and 900000.',
      });
    } finally {
      await c.end();
    }
  } finally {
    await a.end();
  }
}

/** Installs 1.0 and points it at the bridge with a login of my-db-cluster, as `pglambda install` gets one. */
async function installVersion10(url: string) {
  await query(url, `CREATE EXTENSION aws_lambda VERSION '1.0' CASCADE`);
  const res = await signedFetch(new URL(`${svc.endpoint}/_pglambda/clusters/my-db-cluster/bridge-login`), {
    method: 'POST', service: 'pglambda', region: 'us-west-2', credentials: ROOT, body: JSON.stringify({ Region: 'us-west-2' }),
  });
  assert.equal(res.status, 200);
  const login = (await res.json()) as { host: string; port: number; login: string; password: string };
  await query(url, 'SELECT aws_lambda_private.configure_bridge($1, $2, $3, $4)', [login.host, login.port, login.login, login.password]);
}

describe('PostgreSQL 15, installed the PGXS way', { skip: skipWithoutPg15 || skipWithoutPsql }, () => {
  let pg15: SystemPostgres;
  before(async () => {
    await makeExtensions('install');
    pg15 = await startPg15(await freePort());
  });
  after(() => pg15?.stop());

  test('ALTER EXTENSION aws_lambda UPDATE while sessions use 1.0', { timeout: 60_000 }, async () => {
    await installVersion10(pg15.url);
    await updateWhileInUse(pg15.url, () => query(pg15.url, 'ALTER EXTENSION aws_lambda UPDATE').then(() => undefined));
  });

  test('pglambda install on a database with 1.0 updates it', { timeout: 60_000 }, async () => {
    await query(pg15.url, 'CREATE DATABASE again');
    const url = pg15.url.replace(/\/postgres$/, '/again');
    await installVersion10(url);
    await updateWhileInUse(url, async () => {
      const r = await run(process.execPath, [main, 'install', '--database-url', url, '--cluster', 'my-db-cluster'], {
        env: { ...process.env, AWS_ENDPOINT_URL: svc.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
      });
      assert.match(r.stdout, /aws_lambda updated from 1\.0 to 1\.1; bridge login renewed in again/);
    });
  });
});

describe('the embedded PostgreSQL 18', () => {
  test('ALTER EXTENSION aws_lambda UPDATE while sessions use 1.0', { timeout: 60_000 }, async () => {
    await query(svc.postgres.superuserUrl, 'CREATE DATABASE update_test');
    const url = svc.postgres.superuserUrl.replace(/\/postgres(\?|$)/, '/update_test$1');
    await installVersion10(url);
    await updateWhileInUse(url, () => query(url, 'ALTER EXTENSION aws_lambda UPDATE').then(() => undefined));
  });

  test('a start on a data directory with 1.0 updates it', { timeout: 120_000 }, async () => {
    const url = svc.postgres.superuserUrl;
    await query(url, 'DROP EXTENSION aws_lambda CASCADE');
    await query(url, `CREATE EXTENSION aws_lambda VERSION '1.0'`);
    svc = await svc.restart();
    const [{ extversion }] = await query(svc.postgres.superuserUrl, `SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda'`);
    assert.equal(extversion, '1.1');
    const c = new pg.Client({ connectionString: svc.postgres.superuserUrl });
    await c.connect();
    try {
      await invokes(c);
    } finally {
      await c.end();
    }
  });
});
