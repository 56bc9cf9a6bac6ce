/**
 * The administrator's ways in and out: `pglambda install --print-sql` prints a script that, run by
 * hand, gives a working database; `pglambda uninstall` removes everything install added (refusing
 * while the database's own objects use it) and retires the database's login.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { databaseUrl, inDatabase as inDb } from '../helpers/databases.js';
import { startTestService, type TestService } from '../helpers/service.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
const env = () => ({ ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' });
const INVOKE = `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`;

let svc: TestService;

const urlOf = (database: string) => databaseUrl(svc, database);
const inDatabase = <T>(database: string, fn: (c: pg.Client) => Promise<T>) => inDb(svc, database, fn);

const schemas = (database: string) =>
  inDatabase(database, async (c) =>
    (await c.query(`select nspname from pg_namespace where nspname like 'aws\\_%' order by 1`)).rows.map((r) => r.nspname),
  );

before(async () => {
  svc = await startTestService({ examples: true });
  await inDatabase('postgres', (c) => c.query('CREATE DATABASE by_hand').then(() => c.query('CREATE DATABASE leaving')));
});
after(() => svc?.close());

test('install --print-sql prints a script an administrator runs by hand, with a login of its own', async () => {
  const { stdout } = await run(process.execPath, [main, 'install', '--print-sql', '--endpoint-url', svc.endpoint], { env: env() });
  assert.match(stdout, /^-- aws_lambda 1\.3 for DB cluster my-db-cluster \(us-west-2\), printed by pglambda install --print-sql\./);
  assert.match(
    stdout,
    /SELECT aws_lambda_private\.configure_bridge\('127\.0\.0\.1', \d+, 'pglambda_my_db_cluster_[0-9a-f]{8}', '[^']+'\);\n$/,
  );
  await inDatabase('by_hand', (c) => c.query(stdout));
  assert.equal(await inDatabase('by_hand', async (c) => (await c.query(INVOKE)).rows[0].status_code), 200);
  // A plain install comes out as cleanly.
  await run(process.execPath, [main, 'uninstall', '--database-url', urlOf('by_hand'), '--endpoint-url', svc.endpoint], { env: env() });
  assert.deepEqual(await schemas('by_hand'), []);
});

test('uninstall refuses while the database uses aws_lambda, then removes it all and retires the login', async () => {
  await run(process.execPath, [main, 'install', '--database-url', urlOf('leaving'), '--endpoint-url', svc.endpoint], { env: env() });
  const login = await inDatabase('leaving', async (c) =>
    Object.fromEntries(
      (
        await c.query(
          `select o.option_name, o.option_value from pg_user_mappings m, pg_options_to_table(m.umoptions) o where m.srvname = 'aws_lambda_bridge'`,
        )
      ).rows.map((r) => [r.option_name, r.option_value]),
    ),
  );
  await inDatabase('leaving', (c) =>
    c.query(`CREATE VIEW arns AS SELECT aws_commons.create_lambda_function_arn('my-function', 'us-west-2') AS arn`),
  );

  const uninstall = () =>
    run(process.execPath, [main, 'uninstall', '--database-url', urlOf('leaving'), '--endpoint-url', svc.endpoint], { env: env() });
  const refused = await uninstall().then(
    () => assert.fail('uninstalled'),
    (e: { stderr: string }) => e.stderr,
  );
  assert.match(refused, /objects of this database use aws_lambda; drop them first: .*view arns/);
  assert.deepEqual(await schemas('leaving'), ['aws_commons', 'aws_lambda', 'aws_lambda_private'], 'nothing was removed');

  await inDatabase('leaving', (c) => c.query('DROP VIEW arns'));
  const { stdout } = await uninstall();
  assert.equal(stdout, `aws_lambda removed from leaving; bridge login ${login.user} retired (dblink stays)\n`);
  assert.deepEqual(await schemas('leaving'), []);
  assert.equal(
    await inDatabase(
      'leaving',
      async (c) => (await c.query(`select count(*)::int as n from pg_foreign_server where srvname = 'aws_lambda_bridge'`)).rows[0].n,
    ),
    0,
  );
  const direct = new pg.Client({ host: '127.0.0.1', port: svc.bridge.port, user: login.user, password: login.password, database: 'x' });
  await assert.rejects(direct.connect(), /password authentication failed/);
  await direct.end().catch(() => undefined);

  // And back: install works on the emptied database.
  await run(process.execPath, [main, 'install', '--database-url', urlOf('leaving'), '--endpoint-url', svc.endpoint], { env: env() });
  assert.equal(await inDatabase('leaving', async (c) => (await c.query(INVOKE)).rows[0].status_code), 200);
});
