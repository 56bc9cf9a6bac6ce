/**
 * aws_lambda beyond the embedded server: the PGXS install and `make installcheck` on the system's
 * PostgreSQL 15, `pglambda install` there (CREATE EXTENSION) and re-install, and `pglambda install`
 * on a PostgreSQL 18 without our files (plain SQL); the reference's examples on each.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { assertReferenceResults, REFERENCE } from '../fixtures/reference.js';
import { startPlainPostgres, type PlainPostgres } from '../helpers/plain-postgres.js';
import { freePort } from '../helpers/ports.js';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { makeExtensions, skipWithoutPg15, startPg15, type SystemPostgres } from '../helpers/system-postgres.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
let svc: TestService;

const install = (databaseUrl: string) =>
  run(process.execPath, [main, 'install', '--database-url', databaseUrl, '--cluster', 'my-db-cluster'], {
    env: { ...process.env, AWS_ENDPOINT_URL: svc.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });

before(async () => {
  svc = await startTestService({ examples: true });
});
after(() => svc.close());

describe('PostgreSQL 15, installed the PGXS way', { skip: skipWithoutPg15 || skipWithoutPsql }, () => {
  let pg15: SystemPostgres;
  before(async () => {
    await makeExtensions('install');
    pg15 = await startPg15(await freePort());
  });
  after(() => pg15?.stop());

  test('make installcheck passes', { timeout: 120_000 }, async () => {
    const r = await makeExtensions('installcheck', { PGHOST: pg15.socketDir, PGPORT: String(pg15.port), PGUSER: 'postgres' }).catch(
      (e) => e,
    );
    assert.equal(r.code ?? 0, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /All \d+ tests passed|ok/);
  });

  test('pglambda install, the reference verbatim, and a re-install', { timeout: 60_000 }, async () => {
    const first = await install(pg15.url);
    assert.match(first.stdout, /aws_lambda installed with CREATE EXTENSION in postgres, as cluster my-db-cluster/);
    const r = await psql(pg15.url, REFERENCE);
    assertReferenceResults(r.stdout, r.stderr);

    const again = await install(pg15.url);
    assert.match(again.stdout, /already installed; bridge login renewed/);
    const after = await psql(pg15.url, `SELECT status_code, executed_version FROM aws_lambda.invoke('my-function', '{}'::jsonb);`);
    assert.equal(after.stdout, '200|$LATEST\n', after.stderr);
  });

  test('a database that is not UTF8 gets a clear error, not garbled text', { timeout: 60_000 }, async () => {
    await psql(pg15.url, `CREATE DATABASE latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;`);
    const latin1 = pg15.url.replace(/\/postgres$/, '/latin1');
    await install(latin1);
    const r = await psql(latin1, `SELECT * FROM aws_lambda.invoke('my-function', '{"body": "h\u00e9llo"}'::json);\n\\echo still here`);
    assert.match(r.stderr, /ERROR: {2}the pglambda bridge speaks UTF8 only; this database's encoding is LATIN1/);
    assert.equal(r.stdout, 'still here\n');
  });

  test("install --new-databases into template1: a database made later needs only the reference's CREATE EXTENSION", {
    timeout: 60_000,
  }, async () => {
    const template1 = pg15.url.replace(/\/postgres$/, '/template1');
    const enrolled = await run(
      process.execPath,
      [main, 'install', '--database-url', template1, '--cluster', 'my-db-cluster', '--new-databases'],
      {
        env: { ...process.env, AWS_ENDPOINT_URL: svc.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
      },
    );
    assert.match(
      enrolled.stdout,
      /^databases made from template1 from now on get aws_lambda at CREATE EXTENSION, as cluster my-db-cluster/,
    );
    await psql(pg15.url, 'CREATE DATABASE later;');
    const later = pg15.url.replace(/\/postgres$/, '/later');
    const r = await psql(
      later,
      `CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE;\nSELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json);`,
    );
    assert.equal(r.stdout, '200\n', r.stderr);
  });
});

describe('PostgreSQL 18 without our files: plain SQL', { skip: skipWithoutPsql }, () => {
  let other: PlainPostgres;
  before(async () => {
    other = await startPlainPostgres();
  });
  after(() => other?.stop());

  test('pglambda install creates the same objects and the reference runs', { timeout: 60_000 }, async () => {
    const available = await psql(other.superuserUrl, `SELECT count(*) FROM pg_available_extensions WHERE name = 'aws_lambda';`);
    assert.equal(available.stdout, '0\n', 'this server has no aws_lambda files');
    const first = await install(other.superuserUrl);
    assert.match(first.stdout, /aws_lambda installed from plain SQL/);
    const script = REFERENCE.replace('CREATE EXTENSION IF NOT EXISTS aws_lambda CASCADE;', 'SELECT;');
    const r = await psql(other.superuserUrl, script);
    assertReferenceResults(r.stdout.replace(/^\n/, ''), r.stderr);
  });
});
