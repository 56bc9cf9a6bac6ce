/**
 * One bridge login per installed database: installing into a second database, installing again into
 * the first and restarting pglambda leave every database invoking; a login is replaced under load
 * with no failed call, and sessions opened with the old one finish their work.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { signedFetch } from '../../src/aws/auth/signed-fetch.js';
import { databaseUrl, inDatabase } from '../helpers/databases.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { COLD_START_ROOM } from '../helpers/sql-session.js';

const run = promisify(execFile);
const main = resolve('dist/src/cli/main.js');
const INVOKE = `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json)`;

let svc: TestService;

const urlOf = (database: string) => databaseUrl(svc, database);

const install = (database: string) =>
  run(process.execPath, [main, 'install', '--database-url', urlOf(database), '--endpoint-url', svc.endpoint], {
    env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
  });

/** One invoke on a new session (a new backend, so a new bridge connection with the login the database has now). */
const invokeIn = (database: string): Promise<number> => inDatabase(svc, database, async (c) => (await c.query(INVOKE)).rows[0].status_code);

before(async () => {
  svc = await startTestService({ examples: true });
  const admin = new pg.Client({ connectionString: svc.postgres.superuserUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE second');
  await admin.end();
  await install('second');
});
after(() => svc?.close());

test('two databases of one cluster each have their own login; installing into one leaves the other working', async () => {
  assert.equal(await invokeIn('postgres'), 200);
  assert.equal(await invokeIn('second'), 200);
  const logins = async (database: string) => {
    const c = new pg.Client({ connectionString: urlOf(database) });
    await c.connect();
    try {
      return (
        await c.query(`select o.option_value from pg_user_mappings m, pg_options_to_table(m.umoptions) o
                             where m.srvname = 'aws_lambda_bridge' and o.option_name = 'user'`)
      ).rows[0].option_value as string;
    } finally {
      await c.end();
    }
  };
  const [first, other] = [await logins('postgres'), await logins('second')];
  assert.notEqual(first, other);
  assert.match(first, /^pglambda_my_db_cluster_[0-9a-f]{8}$/);

  // A session that opened its bridge connection before the re-install keeps it.
  const early = new pg.Client({ connectionString: urlOf('postgres'), options: COLD_START_ROOM });
  await early.connect();
  try {
    assert.equal((await early.query(INVOKE)).rows[0].status_code, 200);
    const again = await install('postgres');
    assert.match(again.stdout, /already installed; bridge login renewed/);
    assert.notEqual(await logins('postgres'), first);
    assert.equal(await invokeIn('second'), 200);
    assert.equal(await invokeIn('postgres'), 200);
    assert.equal((await early.query(INVOKE)).rows[0].status_code, 200, 'the retired login still serves the session it opened');
  } finally {
    await early.end();
  }
});

test('a retired login opens no new bridge connection', async () => {
  const c = new pg.Client({ connectionString: urlOf('second') });
  await c.connect();
  try {
    const login = (
      await c.query(`select o.option_value as l from pg_user_mappings m, pg_options_to_table(m.umoptions) o
                                  where m.srvname = 'aws_lambda_bridge' and o.option_name = 'user'`)
    ).rows[0].l as string;
    await install('second');
    // The old login and a password: whatever it is, the bridge no longer lets it in.
    const direct = new pg.Client({ host: '127.0.0.1', port: svc.bridge.port, user: login, password: 'x', database: 'x' });
    await assert.rejects(direct.connect(), /password authentication failed/);
    await direct.end().catch(() => undefined);
  } finally {
    await c.end();
  }
});

test('installing into a copy of a database (CREATE DATABASE … TEMPLATE) leaves the original its login', async () => {
  const admin = new pg.Client({ connectionString: svc.postgres.superuserUrl });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE copy_of_second TEMPLATE second');
  } finally {
    await admin.end();
  }
  // The copy starts out with the original's login in its user mapping.
  assert.equal(await invokeIn('copy_of_second'), 200);
  await install('copy_of_second');
  assert.equal(await invokeIn('copy_of_second'), 200);
  assert.equal(await invokeIn('second'), 200, "the original's login was not retired by its copy's install");
});

test('the same cluster identifier in another region or account is another cluster, with logins of its own', async () => {
  for (const [accessKeyId, region] of [
    ['test', 'eu-west-1'],
    ['111122223333', 'us-west-2'],
  ] as const) {
    const r = await signedFetch(new URL(`${svc.endpoint}/_pglambda/clusters/my-db-cluster/bridge-login`), {
      method: 'POST',
      service: 'pglambda',
      region,
      credentials: { accessKeyId, secretAccessKey: 'test' },
      body: JSON.stringify({ Region: region }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal((await r.json()).region, region);
  }
  assert.equal(await invokeIn('postgres'), 200);
});

test('a restart leaves every database invoking', async () => {
  // The same bridge port, as a real start has (4576): the databases keep its address.
  svc = await svc.restart({ bridgePort: svc.bridge.port, port: svc.port });
  assert.equal(await invokeIn('postgres'), 200);
  assert.equal(await invokeIn('second'), 200);
});

test('replacing a login while four sessions invoke on new connections fails no call', { timeout: 60_000 }, async () => {
  let stop = false;
  const failures: string[] = [];
  let calls = 0;
  const loop = async () => {
    while (!stop) {
      try {
        assert.equal(await invokeIn('postgres'), 200);
        calls++;
      } catch (err) {
        failures.push((err as Error).message);
      }
    }
  };
  const loops = Array.from({ length: 4 }, loop);
  try {
    for (let i = 0; i < 3; i++) await install('postgres');
  } finally {
    stop = true;
    await Promise.all(loops);
  }
  assert.deepEqual(failures, []);
  assert.ok(calls > 0);
});
