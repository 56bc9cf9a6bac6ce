/**
 * aws_lambda from each older version to the current one, while sessions use it: ALTER EXTENSION
 * aws_lambda UPDATE on the system's PostgreSQL 15 (PGXS install) and on the embedded PostgreSQL 18,
 * and `pglambda install` on PostgreSQL 15 and on a plain install (a PostgreSQL 18 without our
 * files). A session that invoked under the older version and keeps its bridge connection invokes
 * again after another session updated, as does a new session, and errors keep their SQLSTATE,
 * message, detail and hint. Also: a start on a data directory whose database still has 1.0
 * updates it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { AWS_LAMBDA_VERSION, AWS_LAMBDA_VERSIONS, plainInstallSql } from '../../src/bridge/install.js';
import { freePort } from '../helpers/ports.js';
import { skipWithoutPsql } from '../helpers/psql.js';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { startPlainPostgres, type PlainPostgres } from '../helpers/plain-postgres.js';
import { ROOT, startTestService, type TestService } from '../helpers/service.js';
import { COLD_START_ROOM } from '../helpers/sql-session.js';
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
  const e = await c.query(sql).then(
    () => assert.fail('no error'),
    (err: pg.DatabaseError) => err,
  );
  return { code: e.code, message: e.message, detail: e.detail, hint: e.hint };
}

async function invokes(c: pg.Client) {
  const { rows } = await c.query(INVOKE);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].status_code, 200);
  assert.equal(rows[0].executed_version, '$LATEST');
  return rows[0].payload as string;
}

/** Every version a database may still have. */
const OLDER = AWS_LAMBDA_VERSIONS.slice(0, -1);

/** The extension's version, or a plain install's (recorded in the comment of schema aws_lambda). */
async function versionOf(c: pg.Client): Promise<string> {
  const { rows } = await c.query(`SELECT coalesce(
    (SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda'),
    substring(obj_description('aws_lambda'::regnamespace, 'pg_namespace') FROM '^aws_lambda (\\S+) ')) AS v`);
  return rows[0].v;
}

/**
 * In a database with aws_lambda `from` pointed at the bridge: session A invokes (keeping its
 * connection), `update` runs in other sessions, then A and a new session C invoke with the same
 * results.
 */
async function updateWhileInUse(url: string, from: string, update: () => Promise<void>) {
  const a = new pg.Client({ connectionString: url, options: COLD_START_ROOM });
  await a.connect();
  try {
    assert.equal(await versionOf(a), from);
    const payload = await invokes(a);
    const failure = await errorOf(a, FAILING);
    assert.equal(failure.code, '58000');
    assert.match(failure.detail ?? '', /^AWS Lambda client returned '.*no-such-function/);
    const [conn] = (await a.query(`SELECT dblink_get_connections() AS c`)).rows;
    assert.deepEqual(conn.c, ['aws_lambda_bridge']);

    await update();
    assert.equal(await versionOf(a), AWS_LAMBDA_VERSION);

    assert.equal(await invokes(a), payload, `the session that invoked under ${from}`);
    assert.deepEqual(await errorOf(a, FAILING), failure);
    const c = new pg.Client({ connectionString: url, options: COLD_START_ROOM });
    await c.connect();
    try {
      assert.equal(await invokes(c), payload, 'a new session');
      assert.deepEqual(await errorOf(c, FAILING), failure);
      // The checks that stay in SQL: same SQLSTATE, message and hint as before.
      assert.deepEqual(await errorOf(c, `SELECT * FROM aws_lambda.invoke(NULL, '{}'::json)`), {
        code: '22023',
        message: 'function_name must not be null or empty',
        detail: undefined,
        hint: undefined,
      });
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

/** Points aws_lambda at the bridge with a new login of my-db-cluster, as `pglambda install` gets one. */
async function configureBridge(url: string) {
  const res = await signedFetch(new URL(`${svc.endpoint}/_pglambda/clusters/my-db-cluster/bridge-login`), {
    method: 'POST',
    service: 'pglambda',
    region: 'us-west-2',
    credentials: ROOT,
    body: JSON.stringify({ Region: 'us-west-2' }),
  });
  assert.equal(res.status, 200);
  const login = (await res.json()) as { host: string; port: number; login: string; password: string };
  await query(url, 'SELECT aws_lambda_private.configure_bridge($1, $2, $3, $4)', [login.host, login.port, login.login, login.password]);
}

/** A new database of the server at `url` with aws_lambda `version`, configured; its URL. */
async function databaseWith(url: string, name: string, version: string, how: 'extension' | 'plain-sql' = 'extension') {
  await query(url, `CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  await query(
    u.toString(),
    how === 'extension' ? `CREATE EXTENSION aws_lambda VERSION '${version}' CASCADE` : await plainInstallSql(version),
  );
  await configureBridge(u.toString());
  return u.toString();
}

const dbName = (what: string, version: string) => `${what}_${version.replace('.', '_')}`;

async function pglambdaInstall(url: string, from: string) {
  const r = await run(process.execPath, [main, 'install', '--database-url', url, '--cluster', 'my-db-cluster'], {
    env: { ...process.env, AWS_ENDPOINT_URL: svc.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
  assert.match(
    r.stdout,
    new RegExp(`aws_lambda updated from ${from} to ${AWS_LAMBDA_VERSION}; bridge login renewed`.replaceAll('.', '\\.')),
  );
}

describe('PostgreSQL 15, installed the PGXS way', { skip: skipWithoutPg15 || skipWithoutPsql }, () => {
  let pg15: SystemPostgres;
  before(async () => {
    await makeExtensions('install');
    pg15 = await startPg15(await freePort());
  });
  after(() => pg15?.stop());

  for (const from of OLDER) {
    test(`ALTER EXTENSION aws_lambda UPDATE while sessions use ${from}`, { timeout: 60_000 }, async () => {
      const url = await databaseWith(pg15.url, dbName('alter', from), from);
      await updateWhileInUse(url, from, () => query(url, 'ALTER EXTENSION aws_lambda UPDATE').then(() => undefined));
    });

    test(`pglambda install on a database with ${from} updates it`, { timeout: 60_000 }, async () => {
      const url = await databaseWith(pg15.url, dbName('install', from), from);
      await updateWhileInUse(url, from, () => pglambdaInstall(url, from));
    });
  }
});

describe('PostgreSQL 18 without our files: a plain install', () => {
  let other: PlainPostgres;
  before(async () => {
    other = await startPlainPostgres();
  });
  after(() => other?.stop());

  for (const from of OLDER) {
    test(`pglambda install on a plain install of ${from} runs the upgrade scripts`, { timeout: 60_000 }, async () => {
      const url = await databaseWith(other.superuserUrl, dbName('plain', from), from, 'plain-sql');
      await updateWhileInUse(url, from, () => pglambdaInstall(url, from));
    });
  }
});

describe('the embedded PostgreSQL 18', () => {
  for (const from of OLDER) {
    test(`ALTER EXTENSION aws_lambda UPDATE while sessions use ${from}`, { timeout: 60_000 }, async () => {
      const url = await databaseWith(svc.postgres.superuserUrl, dbName('alter', from), from);
      await updateWhileInUse(url, from, () => query(url, 'ALTER EXTENSION aws_lambda UPDATE').then(() => undefined));
    });
  }

  test(`a start on a data directory with ${OLDER[0]} updates it`, { timeout: 120_000 }, async () => {
    const url = svc.postgres.superuserUrl;
    await query(url, 'DROP EXTENSION aws_lambda CASCADE');
    await query(url, `CREATE EXTENSION aws_lambda VERSION '${OLDER[0]}'`);
    svc = await svc.restart();
    const [{ extversion }] = await query(svc.postgres.superuserUrl, `SELECT extversion FROM pg_extension WHERE extname = 'aws_lambda'`);
    assert.equal(extversion, AWS_LAMBDA_VERSION);
    const c = new pg.Client({ connectionString: svc.postgres.superuserUrl, options: COLD_START_ROOM });
    await c.connect();
    try {
      await invokes(c);
    } finally {
      await c.end();
    }
  });
});
