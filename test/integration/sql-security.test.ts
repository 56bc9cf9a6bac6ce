/**
 * aws_lambda as an ordinary role (alice) on the embedded PostgreSQL 18: nothing before the GRANTs
 * of the extension's README; after them, invoke works but the bridge connection, its login and
 * the private functions stay out of reach, and only a superuser can redirect the bridge to
 * another AWS endpoint.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { COLD_START_ROOM, connect, urlAs, type Session, type SqlError } from '../helpers/sql-session.js';
import { until } from '../helpers/until.js';

const T = { timeout: 30_000 };
const INVOKE = `SELECT status_code, payload FROM aws_lambda.invoke('my-function', '{"body": "Hello from Postgres!"}'::json)`;
const DEAD = 'http://127.0.0.1:1';
const denied = (message: string): SqlError => ({ code: '42501', message });

let svc: TestService;
let admin: Session;
let aliceUrl: string;
let bridgePassword: string;
let scratch: string;

before(async () => {
  svc = await startTestService({ examples: true });
  scratch = await mkdtemp(join(tmpdir(), 'pglambda-security-'));
  // With `started`, it first leaves that file behind: the test knows the invoke is under way.
  await svc.createFunction(
    'sleeper',
    {
      'index.mjs': `import { writeFileSync } from 'node:fs';
      export const handler = async (e) => {
        if (e.started) writeFileSync(e.started, '');
        await new Promise((r) => setTimeout(r, e.ms ?? 0));
        return e;
      };`,
    },
    { Timeout: 10 },
  );
  admin = await connect(svc.postgres.superuserUrl);
  // Warm both functions, so that alice's calls do not wait for a cold start (3 s by default).
  await admin.query('SET aws_lambda.request_timeout_ms = 10000');
  await admin.query(`SELECT FROM aws_lambda.invoke('my-function', '{}'::json)`);
  await admin.query(`SELECT FROM aws_lambda.invoke('sleeper', '{}'::json)`);
  await admin.query('RESET aws_lambda.request_timeout_ms');
  await admin.query(`CREATE ROLE alice LOGIN PASSWORD 'x'`);
  aliceUrl = urlAs(svc.postgres.superuserUrl, 'alice', 'x');
  const um = await admin.query(`SELECT umoptions FROM pg_user_mappings WHERE srvname = 'aws_lambda_bridge'`);
  const options = (um.rows[0].umoptions as string[]).map((o) => o.split('='));
  bridgePassword = options.find(([k]) => k === 'password')![1]!;
  assert.ok(bridgePassword.length >= 16, 'the bridge login has a password');
});
after(async () => {
  await admin?.end();
  await svc?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** A fresh session as alice for `body`, closed afterwards. */
async function asAlice(body: (alice: Session) => Promise<void>): Promise<void> {
  const alice = await connect(aliceUrl);
  try {
    await body(alice);
  } finally {
    await alice.end();
  }
}

const assertInvokes = async (alice: Session) => {
  const r = await alice.query(INVOKE);
  assert.equal(r.rows[0].status_code, 200);
  assert.equal(r.rows[0].payload.body, 'Hello from Postgres!');
};

test('before the GRANTs alice can use nothing', T, async () => {
  await asAlice(async (alice) => {
    assert.deepEqual(await alice.error(INVOKE), denied('permission denied for schema aws_lambda'));
    await alice.assertUsable();
    assert.deepEqual(
      await alice.error(`SELECT aws_commons.create_lambda_function_arn('my-function')`),
      denied('permission denied for schema aws_commons'),
    );
    assert.deepEqual(
      await alice.error(`SELECT aws_lambda_private.connstr(1000)`),
      denied('permission denied for schema aws_lambda_private'),
    );
    assert.deepEqual(await alice.error(`SELECT dblink_get_connections()`), denied('permission denied for function dblink_get_connections'));
    await alice.assertUsable();
  });
});

test('after the GRANTs alice invokes, but cannot reach the bridge connection', T, async () => {
  await admin.query('GRANT USAGE ON SCHEMA aws_lambda, aws_commons TO alice');
  await admin.query('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA aws_lambda TO alice');
  await asAlice(async (alice) => {
    // The first invoke opens this backend's connection 'aws_lambda_bridge'; it stays open.
    await assertInvokes(alice);
    const composite = await alice.query(
      `SELECT status_code FROM aws_lambda.invoke(aws_commons.create_lambda_function_arn('my-function', 'us-west-2'), '{}'::jsonb)`,
    );
    assert.equal(composite.rows[0].status_code, 200);

    assert.deepEqual(await alice.error(`SELECT dblink_get_connections()`), denied('permission denied for function dblink_get_connections'));
    assert.deepEqual(
      await alice.error(`SELECT * FROM dblink('aws_lambda_bridge', 'select 1') AS t(a int)`),
      denied('permission denied for function dblink'),
    );
    assert.deepEqual(
      await alice.error(
        `SELECT * FROM dblink('aws_lambda_bridge', '{"v":1,"function_name":"my-function","payload":{}}') AS t(s int, p text, v text, l text)`,
      ),
      denied('permission denied for function dblink'),
    );
    assert.deepEqual(
      await alice.error(`SELECT dblink_send_query('aws_lambda_bridge', 'select 1')`),
      denied('permission denied for function dblink_send_query'),
    );
    assert.deepEqual(
      await alice.error(`SELECT dblink_connect('x', 'aws_lambda_bridge')`),
      denied('permission denied for function dblink_connect'),
    );
    assert.deepEqual(
      await alice.error(`SELECT dblink_connect_u('x', 'aws_lambda_bridge')`),
      denied('permission denied for function dblink_connect_u'),
    );
    await alice.assertUsable();

    // The bridge login is in the owner's user mapping, which alice sees without options.
    const um = await alice.query(`SELECT srvname, umoptions FROM pg_user_mappings`);
    assert.deepEqual(um.rows, [{ srvname: 'aws_lambda_bridge', umoptions: null }]);
    assert.deepEqual(await alice.error(`SELECT * FROM pg_user_mapping`), denied('permission denied for table pg_user_mapping'));
    assert.deepEqual(
      await alice.error(`CREATE USER MAPPING FOR alice SERVER aws_lambda_bridge OPTIONS (user 'pglambda_my_db_cluster')`),
      denied('permission denied for foreign server aws_lambda_bridge'),
    );

    // The private functions: no USAGE on their schema, and no EXECUTE either.
    for (const call of [
      `aws_lambda_private.send('{}')`,
      `aws_lambda_private.connstr(1000)`,
      `aws_lambda_private.configure_bridge('127.0.0.1', 1, 'alice', 'x')`,
      `aws_lambda_private.request_json('my-function', NULL, '{}', NULL, NULL, NULL, NULL)`,
      `aws_lambda_private.endpoint_override()`,
    ]) {
      assert.deepEqual(await alice.error(`SELECT ${call}`), denied('permission denied for schema aws_lambda_private'), call);
    }
    await alice.assertUsable();

    // After all that, the connection still serves alice's invokes.
    await assertInvokes(alice);
  });
});

test("alice's SET aws_lambda.endpoint_override is ignored, with a WARNING", T, async () => {
  await asAlice(async (alice) => {
    await alice.query(`SET aws_lambda.endpoint_override = '${DEAD}'`);
    await assertInvokes(alice);
    assert.deepEqual(alice.notices, [
      {
        severity: 'WARNING',
        message: 'aws_lambda.endpoint_override is ignored: it was not set by a superuser',
        hint: 'A superuser sets it with ALTER SYSTEM, ALTER DATABASE ... SET or ALTER ROLE ... SET.',
      },
    ]);
  });
});

test("alice's aws_lambda.endpoint_override through PGOPTIONS is ignored too, as psql shows it", {
  ...T,
  skip: skipWithoutPsql,
}, async () => {
  const r = await psql(aliceUrl, `SELECT status_code FROM aws_lambda.invoke('my-function', '{}'::json);`, {
    PGOPTIONS: `${COLD_START_ROOM} -c aws_lambda.endpoint_override=${DEAD}`,
  });
  assert.equal(r.stdout, '200\n');
  assert.equal(
    r.stderr,
    'WARNING:  aws_lambda.endpoint_override is ignored: it was not set by a superuser\n' +
      'HINT:  A superuser sets it with ALTER SYSTEM, ALTER DATABASE ... SET or ALTER ROLE ... SET.\n',
  );
});

test("a superuser's endpoint_override takes effect: SET, and ALTER ROLE for alice", T, async () => {
  const unreachable: SqlError = {
    code: '58000',
    message: 'invoke API failed',
    detail: "AWS Lambda client returned 'Unable to connect to endpoint'",
  };
  await admin.query(`SET aws_lambda.endpoint_override = '${DEAD}'`);
  assert.deepEqual(await admin.error(INVOKE), unreachable);
  await admin.assertUsable();
  await admin.query('RESET aws_lambda.endpoint_override');
  assert.equal((await admin.query(INVOKE)).rows[0].status_code, 200);

  await admin.query(`ALTER ROLE alice SET aws_lambda.endpoint_override = '${DEAD}'`);
  try {
    await asAlice(async (alice) => {
      assert.deepEqual(await alice.error(INVOKE), unreachable, 'a superuser chose it for alice');
      assert.deepEqual(alice.notices, []);
      await alice.assertUsable();
      // alice cannot undo it to another endpoint of her choice either: a different value is ignored.
      await alice.query(`SET aws_lambda.endpoint_override = '${svc.endpoint}'`);
      await assertInvokes(alice);
      assert.equal(alice.notices.length, 1);
    });
  } finally {
    await admin.query('ALTER ROLE alice RESET aws_lambda.endpoint_override');
  }
  await asAlice(assertInvokes);
});

test('nothing of the bridge password reaches alice, even while she invokes', T, async () => {
  const started = join(scratch, 'sleeper.started');
  await asAlice(async (alice) => {
    const busy = await connect(aliceUrl);
    try {
      const running = busy.query(`SELECT payload FROM aws_lambda.invoke('sleeper', $1::json)`, [JSON.stringify({ ms: 800, started })]);
      await until('the invoke to be running', () => existsSync(started));
      const activity = await alice.query(`SELECT row_to_json(a)::text AS row FROM pg_stat_activity a`);
      const mine = activity.rows.map((r) => r.row as string);
      assert.ok(
        mine.some((row) => row.includes("aws_lambda.invoke('sleeper'")),
        'alice sees her own invoke',
      );
      for (const row of mine) assert.ok(!row.includes(bridgePassword), `no bridge password in ${row}`);
      assert.deepEqual((await running).rows[0].payload, { ms: 800, started });

      // Nor in what the superuser sees of her sessions, nor in any setting alice can read.
      const all = await admin.query(`SELECT row_to_json(a)::text AS row FROM pg_stat_activity a`);
      for (const { row } of all.rows) assert.ok(!(row as string).includes(bridgePassword), `no bridge password in ${row}`);
      const settings = await alice.query(`SELECT string_agg(name || '=' || setting, ' ') AS s FROM pg_settings`);
      assert.ok(!(settings.rows[0].s as string).includes(bridgePassword));
    } finally {
      await busy.end();
    }
  });
});
