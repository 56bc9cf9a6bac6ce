/**
 * Running aws_lambda day to day on the embedded PostgreSQL 18: its settings set with SET, ALTER
 * ROLE and ALTER DATABASE are read at each call (most specific wins, as PostgreSQL applies them);
 * and the bridge restarted under a live session: the session's next invoke reconnects and works,
 * and no invocation is lost or run twice.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { startBridge, type RunningBridge } from '../../src/service/start-bridge.js';
import { psql, skipWithoutPsql } from '../helpers/psql.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { connect, urlAs, type Session, type SqlError } from '../helpers/sql-session.js';

const T = { timeout: 30_000 };
const pythonSkip =
  spawnSync('python3', ['--version'], { stdio: 'ignore' }).status !== 0
    ? 'python3 is not installed'
    : !existsSync(resolve('src/runtime/python/bootstrap.py')) && 'the Python runtime client is not there';
/** sleeper waits 700 ms: more than 300 ms, well under 3000 ms (5000 ms leaves room for a cold start). */
const SLEEP = `SELECT payload FROM aws_lambda.invoke('sleeper', '{"ms": 700}'::json)`;
const timedOut = (ms: number): SqlError => ({
  code: '58000',
  message: 'invoke API failed',
  detail: `AWS Lambda client returned 'Request timed out after ${ms} ms'`,
  hint: 'The request was sent: the function may have run.',
});

let svc: TestService;
let admin: Session;
let aliceUrl: string;
/** The bridge that replaced the service's own one, once the restart test ran. */
let restarted: RunningBridge | undefined;

before(async () => {
  svc = await startTestService({ examples: true });
  await Promise.all([
    svc.createFunction(
      'sleeper',
      {
        'index.mjs': 'export const handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return e; };',
      },
      { Timeout: 10 },
    ),
    svc.createFunction('tally', {
      // One line per invocation in the file the event names; answers how many there are.
      'index.mjs': `import { appendFileSync, readFileSync } from 'node:fs';
        export const handler = async (e) => {
          appendFileSync(e.file, e.mark + '\\n');
          return readFileSync(e.file, 'utf8').trim().split('\\n').length;
        };`,
    }),
  ]);
  // This file's sessions keep PostgreSQL's defaults: they test how the settings apply.
  admin = await connect(svc.postgres.superuserUrl, { coldStartRoom: false });
  await admin.query(`CREATE ROLE alice LOGIN PASSWORD 'x'`);
  await admin.query('GRANT USAGE ON SCHEMA aws_lambda, aws_commons TO alice');
  await admin.query('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA aws_lambda TO alice');
  aliceUrl = urlAs(svc.postgres.superuserUrl, 'alice', 'x');
  // Warm: the first sleeper call would otherwise also pay for starting its environment.
  await admin.query('SET aws_lambda.request_timeout_ms = 10000');
  await admin.query(`SELECT * FROM aws_lambda.invoke('sleeper', '{}'::json)`);
  await admin.query('RESET aws_lambda.request_timeout_ms');
});
after(async () => {
  await admin?.end();
  await restarted?.close();
  await svc?.close();
});

/** In a new session as alice (after `setup`): sleeper succeeds, or times out after `expectTimeoutMs`. */
async function aliceSleeps(expectTimeoutMs?: number, setup?: string): Promise<void> {
  const alice = await connect(aliceUrl, { coldStartRoom: false });
  try {
    if (setup) await alice.query(setup);
    if (expectTimeoutMs === undefined) {
      assert.deepEqual((await alice.query(SLEEP)).rows[0].payload, { ms: 700 });
    } else {
      assert.deepEqual(await alice.error(SLEEP), timedOut(expectTimeoutMs));
      await alice.assertUsable();
    }
  } finally {
    await alice.end();
  }
}

test('SET aws_lambda.request_timeout_ms applies from the next call in the same session', T, async () => {
  await admin.query('SET aws_lambda.request_timeout_ms = 300');
  assert.deepEqual(await admin.error(SLEEP), timedOut(300));
  await admin.query('SET aws_lambda.request_timeout_ms = 5000');
  assert.deepEqual((await admin.query(SLEEP)).rows[0].payload, { ms: 700 });
  // Inside a transaction: SET LOCAL for one call, then back.
  await admin.query('BEGIN');
  await admin.query('SET LOCAL aws_lambda.request_timeout_ms = 300');
  assert.deepEqual(await admin.error(SLEEP), timedOut(300));
  await admin.query('ROLLBACK');
  assert.deepEqual((await admin.query(SLEEP)).rows[0].payload, { ms: 700 });
  // RESET: the default, 3000 ms.
  await admin.query('RESET aws_lambda.request_timeout_ms');
  assert.deepEqual((await admin.query(SLEEP)).rows[0].payload, { ms: 700 });
});

test('ALTER DATABASE, ALTER ROLE and SET: the most specific wins, read at call time', T, async () => {
  try {
    await admin.query('ALTER DATABASE postgres SET aws_lambda.request_timeout_ms = 300');
    await aliceSleeps(300);
    await admin.query('ALTER ROLE alice SET aws_lambda.request_timeout_ms = 5000');
    await aliceSleeps(); // the role's setting beats the database's
    await admin.query('ALTER ROLE alice IN DATABASE postgres SET aws_lambda.request_timeout_ms = 400');
    await aliceSleeps(400); // role-in-database beats role
    await aliceSleeps(undefined, 'SET aws_lambda.request_timeout_ms = 6000'); // the session's SET beats all
    await admin.query('ALTER ROLE alice IN DATABASE postgres RESET aws_lambda.request_timeout_ms');

    // A bad value configured for the role fails alice's calls, not her login.
    await admin.query(`ALTER ROLE alice SET aws_lambda.connect_timeout_ms = '0'`);
    const alice = await connect(aliceUrl, { coldStartRoom: false });
    try {
      assert.deepEqual(await alice.error(SLEEP), {
        code: '22023',
        message: 'invalid value for parameter "aws_lambda.connect_timeout_ms": "0"',
        hint: 'Valid values are whole numbers of milliseconds between 1 and 900000.',
      });
      await alice.query('SET aws_lambda.connect_timeout_ms = 2000');
      assert.deepEqual((await alice.query(SLEEP)).rows[0].payload, { ms: 700 });
    } finally {
      await alice.end();
    }
  } finally {
    await admin.query('ALTER DATABASE postgres RESET aws_lambda.request_timeout_ms');
    await admin.query('ALTER ROLE alice RESET ALL');
    await admin.query('ALTER ROLE alice IN DATABASE postgres RESET ALL');
  }
  await aliceSleeps();
});

test('psql: ALTER ROLE ... SET shows in SHOW and in the call', { ...T, skip: skipWithoutPsql }, async () => {
  await admin.query('ALTER ROLE alice SET aws_lambda.request_timeout_ms = 300');
  try {
    const r = await psql(aliceUrl, `SHOW aws_lambda.request_timeout_ms;\n${SLEEP};\n\\echo :SQLSTATE\nSELECT 'next';`, { PGOPTIONS: '' });
    assert.equal(r.stdout, '300\n58000\nnext\n');
    assert.match(r.stderr, /^ERROR: {2}invoke API failed\nDETAIL: {2}AWS Lambda client returned 'Request timed out after 300 ms'\n/);
  } finally {
    await admin.query('ALTER ROLE alice RESET ALL');
  }
});

test('the bridge restarted under a live session: the next invoke works, nothing runs twice', T, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'pglambda-tally-'));
  const file = join(dir, 'runs');
  const tally = (mark: string) =>
    `SELECT payload FROM aws_lambda.invoke('tally', '{"file": ${JSON.stringify(file)}, "mark": "${mark}"}'::json)`;
  const port = svc.bridge.port;
  const live = await connect(svc.postgres.superuserUrl);
  try {
    await live.query('SET aws_lambda.request_timeout_ms = 10000');
    await admin.query('SET aws_lambda.request_timeout_ms = 10000');
    const pid = await live.pid();
    assert.equal((await live.query(tally('before'))).rows[0].payload, 1);

    await svc.bridge.close();
    // While it is down: the live session's call fails without running anything, and goes on.
    assert.deepEqual(await live.error(tally('down')), {
      code: '58000',
      message: 'invoke API failed',
      detail: "AWS Lambda client returned 'Unable to connect to endpoint'",
    });
    await live.assertUsable();

    restarted = await startBridge(svc.bridge.registry, { ...svc.bridge.options, port });
    assert.equal(restarted.port, port);
    assert.equal((await live.query(tally('after'))).rows[0].payload, 2, 'the function ran once more');
    assert.equal(await live.pid(), pid, 'the same session');
    assert.equal(await readFile(file, 'utf8'), 'before\nafter\n', 'exactly twice in all');

    // Restarted again between two calls, without a failed call in between: reconnects once.
    await restarted.close();
    restarted = await startBridge(svc.bridge.registry, { ...svc.bridge.options, port });
    assert.equal((await live.query(tally('again'))).rows[0].payload, 3);
    assert.equal(await readFile(file, 'utf8'), 'before\nafter\nagain\n');
    // Other sessions, whose connections the restarts cut, reconnect too.
    assert.equal((await admin.query(tally('admin'))).rows[0].payload, 4);
  } finally {
    await live.end();
    await rm(dir, { recursive: true, force: true });
  }
});

test('the payload reaches the function as written: big integers intact', { ...T, skip: pythonSkip }, async () => {
  // Python keeps integers of any size: what the function saw, as Python prints it.
  await svc.createFunction(
    'py-echo',
    {
      'app.py': 'def handler(event, context):\n    return {"repr": repr(event)}\n',
    },
    { Runtime: 'python3.12', Handler: 'app.handler' },
  );
  await admin.query('SET aws_lambda.request_timeout_ms = 10000');
  const r = await admin.query(
    `SELECT payload->>'repr' AS repr FROM aws_lambda.invoke('py-echo', '{"id": 12345678901234567890, "n": [1, 2.5]}'::json)`,
  );
  assert.equal(r.rows[0].repr, "{'id': 12345678901234567890, 'n': [1, 2.5]}");
  const b = await admin.query(`SELECT payload->>'repr' AS repr FROM aws_lambda.invoke('py-echo', '{"id": 12345678901234567890}'::jsonb)`);
  assert.equal(b.rows[0].repr, "{'id': 12345678901234567890}");
});
