/**
 * Databases made on the embedded server after the start: the reference's `CREATE EXTENSION IF NOT
 * EXISTS aws_lambda CASCADE` is all they need, as on Aurora; what makes that work stays out of
 * ordinary roles' reach, survives a restart, and `pglambda install` into one leaves the others be.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { databaseUrl, inDatabase } from '../helpers/databases.js';
import { startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
const INVOKE = `SELECT status_code FROM aws_lambda.invoke('my-function', '{"body": "Hello from Postgres!"}'::json)`;

let svc: TestService;

const invokeIn = (database: string) => inDatabase(svc, database, async (c) => (await c.query(INVOKE)).rows[0].status_code as number);

before(async () => {
  svc = await startTestService({ examples: true });
  await inDatabase(svc, 'postgres', async (c) => {
    await c.query('CREATE DATABASE fresh');
    await c.query('CREATE DATABASE other');
    await c.query(`CREATE ROLE bob LOGIN PASSWORD 'bob'`);
  });
});
after(() => svc?.close());

test("a new database needs only the reference's CREATE EXTENSION", async () => {
  for (const db of ['fresh', 'other']) {
    await inDatabase(svc, db, (c) => c.query('CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE'));
    assert.equal(await invokeIn(db), 200);
  }
});

test('an ordinary role reaches neither the login nor its password', async () => {
  const url = new URL(databaseUrl(svc, 'fresh'));
  url.username = 'bob';
  url.password = 'bob';
  const bob = new pg.Client({ connectionString: url.toString() });
  await bob.connect();
  try {
    await assert.rejects(bob.query('SELECT * FROM pglambda_enrollment.bridge'), /permission denied for schema pglambda_enrollment/);
    const sources = await bob.query(`SELECT prosrc FROM pg_proc WHERE proname = 'configure_aws_lambda'`);
    assert.ok(
      sources.rows.every((r) => !/pglambda_my_db_cluster_/.test(r.prosrc)),
      'no login in any function source',
    );
  } finally {
    await bob.end();
  }
});

test('dropped and created again, and after a restart, it still invokes', async () => {
  await inDatabase(svc, 'fresh', async (c) => {
    // CASCADE: the user mapping with the login depends on the extension's server.
    await c.query('DROP EXTENSION aws_lambda CASCADE');
    await c.query('CREATE EXTENSION aws_lambda');
  });
  assert.equal(await invokeIn('fresh'), 200);
  svc = await svc.restart({ bridgePort: svc.bridge.port, port: svc.port });
  assert.equal(await invokeIn('fresh'), 200);
  assert.equal(await invokeIn('other'), 200);
});

test('pglambda install gives one database a login of its own; the others keep the shared one', async () => {
  await run(process.execPath, [main, 'install', '--database-url', databaseUrl(svc, 'fresh'), '--endpoint-url', svc.endpoint], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });
  assert.equal(await invokeIn('fresh'), 200);
  assert.equal(await invokeIn('other'), 200);
});
